package dev.relay.server.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.event.EventListener;
import dev.relay.core.event.RelayEvent;
import dev.relay.server.testing.Prometheus;
import dev.relay.server.testing.RecordingListener;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The event stream of a real server, fed by real WebSocket clients. */
class EventStreamIT {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSessionProducesItsEventsInOrder() {
        RecordingListener recorder = new RecordingListener("recorder");
        server = TestServer.start(Map.of(), List.of(recorder));
        String epoch;
        try (WsClient alice = server.connect("alice", "general")) {
            alice.send(Map.of("type", "join_room", "room_id", "support", "id", "j"));
            alice.awaitType("joined");
            alice.send(Map.of("type", "room_message", "room_id", "support", "id", "m", "content", "hello"));
            JsonNode ack = alice.awaitType("ack");
            assertThat(ack.path("data").path("seq").asLong()).isEqualTo(1);
            epoch = server.service().hub().queries().roomPosition("support").orElseThrow().epoch();
            alice.send(Map.of("type", "status", "content", "busy", "id", "s"));
            alice.send(Map.of("type", "leave_room", "room_id", "support", "id", "l"));
            alice.awaitType("left");
        }

        assertThat(recorder.linesUntil("user_offline alice", line -> true)).containsExactly(
                "user_online alice",
                "room_occupied general",
                "member_joined support alice",
                "room_occupied support",
                "room_message support alice 1 " + epoch + " hello",
                "user_status alice busy false",
                "member_left support alice",
                "room_vacated support",
                "room_vacated general",
                "user_offline alice");
        RelayEvent message = recorder.events.get(4);
        assertThat(message.fields()).containsKeys("message_id", "timestamp");
    }

    @Test
    void aStuckListenerNeitherStallsSocketsNorTheOtherListenersAndIsCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EventListener stuck = new EventListener() {
            @Override
            public String name() {
                return "stuck";
            }

            @Override
            public void onEvent(RelayEvent event) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        RecordingListener recorder = new RecordingListener("recorder");
        server = TestServer.start(Map.of("enable_rate_limit", "false"), List.of(stuck, recorder));
        try (WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            for (int i = 0; i < 20; i++) {
                alice.send(Map.of("type", "room_message", "room_id", "general", "content", "m" + i));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(bob.awaitType("room_message").path("content").asText()).isEqualTo("m" + i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.lines().stream()
                    .filter(line -> line.startsWith("room_message")).count() == 20);

            // The stuck listener holds the first event and queues the rest: 2 online, 1 occupied, 20 messages.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.scrape().value("relay_events_queued", "listener", "stuck") == 22);
            Prometheus scrape = server.scrape();
            assertThat(scrape.value("relay_events_delivered_total", "listener", "stuck")).isZero();
            assertThat(scrape.value("relay_events_dropped_total", "listener", "stuck")).isZero();
            assertThat(scrape.value("relay_events_delivered_total", "listener", "recorder")).isEqualTo(23);
            assertThat(server.service().eventStats()).extracting(stats -> stats.listener())
                    .containsExactly("stuck", "recorder", "analytics"); // analytics is on by default
        } finally {
            release.countDown();
        }
    }
}
