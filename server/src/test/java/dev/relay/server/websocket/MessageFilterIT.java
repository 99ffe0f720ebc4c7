package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The word filter over WebSocket and REST: what others receive is never the unfiltered content. */
class MessageFilterIT {
    @Test
    void maskedContentIsWhatEveryoneReceivesOverWebSocketAndRest(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("words.txt"), "# from the file\n广告\n");
        try (TestServer server = TestServer.start(Map.of("filter_words", "spam,Eggs",
                "filter_words_file", file.toString()));
             WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            alice.awaitType("user_joined");
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "SPAM and eggs 广告!"));
            assertThat(bob.awaitType("room_message").path("content").asText()).isEqualTo("**** and **** **!");
            assertThat(alice.awaitType("room_message").path("content").asText()).isEqualTo("**** and **** **!");

            alice.send(Map.of("type", "private_message", "to", "bob", "content", "psst, spam"));
            assertThat(bob.awaitType("private_message").path("content").asText()).isEqualTo("psst, ****");

            Http.Response sent = server.http().post("/ws/messages", server.adminToken("root"),
                    "{\"type\":\"broadcast\",\"content\":\"eggsactly\"}");
            assertThat(sent.status()).isEqualTo(200);
            assertThat(bob.awaitType("broadcast").path("content").asText()).isEqualTo("****actly");

            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "clean words"));
            assertThat(bob.awaitType("room_message").path("content").asText()).isEqualTo("clean words");
        }
    }

    @Test
    void rejectRefusesTheMessageAndDeliversNothing() {
        try (TestServer server = TestServer.start(Map.of("filter_words", "spam", "filter_action", "reject"));
             WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            alice.awaitType("user_joined");
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "Spam!", "id", "m1"));
            JsonNode error = alice.awaitType("error");
            assertThat(error.path("data").path("code").asText()).isEqualTo("filtered");
            assertThat(error.path("data").path("ref").asText()).isEqualTo("m1");

            Http.Response rest = server.http().post("/ws/messages", server.adminToken("root"),
                    "{\"type\":\"room_message\",\"room_id\":\"general\",\"content\":\"spam\"}");
            assertThat(rest.status()).isEqualTo(400);
            assertThat(rest.errorCode()).isEqualTo("filtered");

            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "fine"));
            assertThat(bob.awaitType("room_message").path("content").asText()).as("the first thing bob gets")
                    .isEqualTo("fine");

            String metrics = server.http().get("/metrics", null).raw().body();
            assertThat(metrics).contains("relay_messages_filtered_total{action=\"rejected\"} 2.0")
                    .contains("relay_messages_filtered_total{action=\"masked\"} 0.0");
            assertThat(server.http().get("/ws/users/alice/activity", server.token("alice")).body().toString())
                    .contains("filtered");
        }
    }

    @Test
    void maskedMessagesAreCountedInTheMetrics() {
        try (TestServer server = TestServer.start(Map.of("filter_words", "spam"));
             WsClient alice = server.connect("alice", "general")) {
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "spam and spam"));
            assertThat(alice.awaitType("room_message").path("content").asText()).isEqualTo("**** and ****");
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "clean"));
            alice.awaitType("room_message");
            String metrics = server.http().get("/metrics", null).raw().body();
            assertThat(metrics).contains("relay_messages_filtered_total{action=\"masked\"} 1.0");
        }
    }

    @Test
    void withTheFilterOffWordsPassUnchanged() {
        try (TestServer server = TestServer.start(Map.of("filter_words", "spam", "enable_message_filter", "false"));
             WsClient alice = server.connect("alice", "general")) {
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "spam"));
            assertThat(alice.awaitType("room_message").path("content").asText()).isEqualTo("spam");
        }
    }
}
