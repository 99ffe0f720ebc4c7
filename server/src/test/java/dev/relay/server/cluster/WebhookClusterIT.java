package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.testing.ExternalService;
import dev.relay.server.testing.Backend;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes on the real Redis with the same webhook: a room filled from both nodes is reported occupied once, and
 * vacated once, to the one backend, not once per node.
 */
class WebhookClusterIT {
    private final String prefix = RedisKeys.freshPrefix();
    private final List<TestServer> nodes = new ArrayList<>();
    private Backend backend;

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
        backend = Backend.start(request -> Backend.Answer.status(200));
    }

    @AfterEach
    void stop() {
        nodes.forEach(TestServer::close);
        backend.close();
        RedisKeys.delete(prefix);
    }

    /** The engine's keys; {@link NatsWebhookClusterIT} runs the test with NATS carrying the messages. */
    Map<String, String> engine() {
        return Map.of("engine", "redis");
    }

    void engineServices() {
    }

    private TestServer node(String id) throws Exception {
        engineServices();
        String hooks = new ObjectMapper().writeValueAsString(List.of(Map.of("url", backend.url("/hook"),
                "secret", "s", "events", List.of("room_occupied", "room_vacated"), "rooms", List.of("support"),
                "batch_delay", "0s")));
        Map<String, String> config = new java.util.HashMap<>(engine());
        config.putAll(Map.of("redis_url", RedisKeys.url(ExternalService.REDIS.port()),
                "redis_key_prefix", prefix,
                "node_id", id,
                "webhooks", hooks));
        TestServer node = TestServer.start(config);
        nodes.add(node);
        return node;
    }

    @Test
    void aRoomFilledFromTwoNodesIsOccupiedOnceAndVacatedOnce() throws Exception {
        TestServer a = node("a");
        TestServer b = node("b");

        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general")) {
            alice.send(Map.of("type", "join_room", "room_id", "support", "id", "j")).awaitType("joined");
            bob.send(Map.of("type", "join_room", "room_id", "support", "id", "j")).awaitType("joined");
            await().until(() -> events().contains("room_occupied"));
            bob.send(Map.of("type", "leave_room", "room_id", "support", "id", "l")).awaitType("left");
            alice.send(Map.of("type", "leave_room", "room_id", "support", "id", "l")).awaitType("left");
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> events().contains("room_vacated"));
        // Held for a while: a second node's copy of either transition would have arrived by then.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> events().equals(List.of("room_occupied", "room_vacated")));
    }

    private List<String> events() {
        List<String> names = new ArrayList<>();
        for (Backend.Request request : backend.requests) {
            JsonNode body = request.json();
            body.path("events").forEach(event -> {
                assertThat(event.path("room_id").asText()).isEqualTo("support");
                names.add(event.path("name").asText());
            });
        }
        return names;
    }
}
