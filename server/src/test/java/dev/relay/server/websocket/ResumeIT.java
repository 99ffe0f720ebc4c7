package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** A client that drops and comes back gets exactly what it missed, in order, once — over real sockets. */
class ResumeIT {

    @Test
    void aReconnectingClientGetsExactlyWhatItMissedWhileLiveTrafficGoesOn() throws Exception {
        try (TestServer server = TestServer.start(Map.of("enable_rate_limit", "false"));
             WsClient publisher = server.connect("publisher", "general")) {
            WsClient reader = server.connect("reader", "general");
            for (int i = 1; i <= 3; i++) {
                server.service().publishToRoom("general", "before-" + i);
            }
            JsonNode last = null;
            for (int i = 1; i <= 3; i++) {
                last = reader.awaitType("room_message");
            }
            long lastSeq = last.path("seq").asLong();
            String epoch = last.path("epoch").asText();
            assertThat(last.path("content").asText()).isEqualTo("before-3");
            reader.close();

            for (int i = 1; i <= 5; i++) {
                server.service().publishToRoom("general", "missed-" + i);
            }
            // Live traffic keeps flowing while the reader comes back.
            AtomicBoolean publishing = new AtomicBoolean(true);
            Thread live = Thread.ofPlatform().start(() -> {
                for (int i = 1; i <= 200 && publishing.get(); i++) {
                    server.service().publishToRoom("general", "live-" + i);
                }
            });
            try (WsClient back = WsClient.connect(server.connectUriWithQuery(
                    "room_id=general&since=" + lastSeq + "&epoch=" + epoch + "&token=" + server.token("reader")))) {
                live.join();
                List<Long> seqs = new ArrayList<>();
                List<String> contents = new ArrayList<>();
                JsonNode resumed = null;
                int roomMessagesBeforeResumed = 0;
                while (resumed == null || !contents.contains("live-200")) {
                    JsonNode message = back.next();
                    switch (message.path("type").asText()) {
                        case "room_message" -> {
                            seqs.add(message.path("seq").asLong());
                            contents.add(message.path("content").asText());
                            if (resumed == null) {
                                roomMessagesBeforeResumed++;
                            }
                        }
                        case "resumed" -> resumed = message;
                        default -> {
                        }
                    }
                }
                assertThat(resumed).as("resumed arrived").isNotNull();
                assertThat(resumed.path("data").path("recovered").asBoolean()).isTrue();
                assertThat(resumed.path("data").path("replayed").asInt()).isEqualTo(roomMessagesBeforeResumed);
                assertThat(contents.subList(0, 5)).containsExactly("missed-1", "missed-2", "missed-3", "missed-4",
                        "missed-5");
                for (int i = 0; i < seqs.size(); i++) {
                    assertThat(seqs.get(i)).as("seq #%d: consecutive, no gap, no repeat", i).isEqualTo(lastSeq + 1 + i);
                }
                assertThat(contents).doesNotContain("before-3").endsWith("live-200");
            } finally {
                publishing.set(false);
            }
        }
    }

    @Test
    void resumingAnotherRoomJoinsItAndReplaysItsHistory() {
        try (TestServer server = TestServer.start();
             WsClient watcher = server.connect("watcher", "support")) {
            server.service().publishToRoom("support", "s1");
            JsonNode first = watcher.awaitType("room_message");
            server.service().publishToRoom("support", "s2");
            server.service().publishToRoom("support", "s3");
            try (WsClient client = server.connect("returning", "general")) {
                client.send(Map.of("type", "resume", "room_id", "support", "id", "r1",
                        "data", Map.of("since", first.path("seq").asLong(), "epoch", first.path("epoch").asText())));
                assertThat(client.awaitType("room_message").path("content").asText()).isEqualTo("s2");
                assertThat(client.awaitType("room_message").path("content").asText()).isEqualTo("s3");
                JsonNode resumed = client.awaitType("resumed");
                assertThat(resumed.path("room_id").asText()).isEqualTo("support");
                assertThat(resumed.path("data").path("recovered").asBoolean()).isTrue();
                assertThat(resumed.path("data").path("ref").asText()).isEqualTo("r1");
                assertThat(watcher.awaitType("user_joined").path("data").path("user_id").asText()).isEqualTo("returning");

                server.service().publishToRoom("support", "s4");
                assertThat(client.awaitType("room_message").path("content").asText()).isEqualTo("s4");
            }
        }
    }

    @Test
    void aWrongEpochOrAHistoryThatNoLongerReachesBackIsNotRecovered() {
        try (TestServer server = TestServer.start(Map.of("history_size", "3"));
             WsClient watcher = server.connect("w", "general")) {
            for (int i = 1; i <= 6; i++) {
                server.service().publishToRoom("general", "m" + i);
            }
            String epoch = null;
            for (int i = 1; i <= 6; i++) {
                epoch = watcher.awaitType("room_message").path("epoch").asText();
            }
            try (WsClient stale = server.connect("stale", "general")) {
                // seq 2 is gone (only 4..6 are kept): a partial replay would silently lose 3.
                stale.send(Map.of("type", "resume", "room_id", "general", "data", Map.of("since", 2, "epoch", epoch)));
                JsonNode tooOld = stale.awaitType("resumed");
                assertThat(tooOld.path("data").path("recovered").asBoolean()).isFalse();
                assertThat(tooOld.path("data").path("replayed").asInt()).isZero();
                // seq 3 is the edge: 4..6 are all kept.
                stale.send(Map.of("type", "resume", "room_id", "support", "data", Map.of("since", 0, "epoch", "x")));
                assertThat(stale.awaitType("resumed").path("data").path("recovered").asBoolean()).isFalse();
            }
            try (WsClient edge = WsClient.connect(server.connectUriWithQuery(
                    "room_id=general&since=3&epoch=" + epoch + "&token=" + server.token("edge")))) {
                List<String> replayed = new ArrayList<>();
                JsonNode message;
                while (!(message = edge.next()).path("type").asText().equals("resumed")) {
                    if (message.path("type").asText().equals("room_message")) {
                        replayed.add(message.path("content").asText());
                    }
                }
                assertThat(message.path("data").path("recovered").asBoolean()).isTrue();
                assertThat(replayed).containsExactly("m4", "m5", "m6");
            }
            try (WsClient otherEpoch = WsClient.connect(server.connectUriWithQuery(
                    "room_id=general&since=5&epoch=not-" + epoch + "&token=" + server.token("other")))) {
                JsonNode resumed = otherEpoch.awaitType("resumed");
                assertThat(resumed.path("data").path("recovered").asBoolean()).isFalse();
                assertThat(resumed.path("data").path("epoch").asText()).isEqualTo(epoch);
            }
        }
    }

    @Test
    void resumeParametersOnConnectMustComeTogether() throws Exception {
        try (TestServer server = TestServer.start();
             RawWebSocket sinceOnly = RawWebSocket.open(server.port(),
                     "/ws/connect?since=3&token=" + server.token("u"), Map.of());
             RawWebSocket negative = RawWebSocket.open(server.port(),
                     "/ws/connect?since=-1&epoch=e&token=" + server.token("u"), Map.of())) {
            assertThat(sinceOnly.handshake().status()).isEqualTo(400);
            assertThat(sinceOnly.handshake().json().path("error").path("code").asText()).isEqualTo("invalid_field");
            assertThat(negative.handshake().status()).isEqualTo(400);
        }
    }
}
