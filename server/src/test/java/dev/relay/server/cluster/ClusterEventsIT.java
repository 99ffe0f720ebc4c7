package dev.relay.server.cluster;

import dev.relay.core.testing.ExternalService;
import dev.relay.server.testing.RecordingListener;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes on the real Redis, each with its own listener: every event is seen once in the cluster, on the node
 * where it happened, never again on the node that applies its copy.
 */
class ClusterEventsIT {
    private final String prefix = RedisKeys.freshPrefix();
    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void stop() {
        nodes.forEach(TestServer::close);
        RedisKeys.delete(prefix);
    }

    private TestServer node(String id, RecordingListener listener) {
        TestServer node = TestServer.start(Map.of(
                "engine", "redis",
                "redis_url", RedisKeys.url(ExternalService.REDIS.port()),
                "redis_key_prefix", prefix,
                "node_id", id,
                "enable_rate_limit", "false"), List.of(listener));
        nodes.add(node);
        return node;
    }

    @Test
    void each_event_is_reported_once_by_the_node_where_it_happened() {
        RecordingListener atA = new RecordingListener("a");
        RecordingListener atB = new RecordingListener("b");
        TestServer a = node("a", atA);
        TestServer b = node("b", atB);
        assertThat(a.http().post("/ws/rooms", a.adminToken("ops"), "{\"id\":\"lobby\"}").status()).isEqualTo(201);
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general")) {
            alice.send(Map.of("type", "join_room", "room_id", "lobby", "id", "j"));
            alice.awaitType("joined");
            bob.send(Map.of("type", "join_room", "room_id", "lobby", "id", "j"));
            bob.awaitType("joined");
            alice.send(Map.of("type", "room_message", "room_id", "lobby", "id", "m", "content", "from a"));
            long seq = alice.awaitType("ack").path("data").path("seq").asLong();
            com.fasterxml.jackson.databind.JsonNode atBob = bob.awaitType("room_message");
            assertThat(atBob.path("content").asText()).isEqualTo("from a");
            String epoch = atBob.path("epoch").asText();
            assertThat(epoch).isNotBlank();
            bob.send(Map.of("type", "private_message", "to", "alice", "id", "p", "content", "psst"));
            assertThat(alice.awaitType("private_message").path("content").asText()).isEqualTo("psst");
            assertThat(b.http().post("/ws/messages", b.adminToken("ops"),
                    "{\"type\":\"broadcast\",\"content\":\"all\"}").status()).isEqualTo(200);
            alice.awaitType("broadcast");
            // Deleted through node b: node a applies the deletion without reporting it.
            assertThat(b.http().send("DELETE", "/ws/rooms/lobby", b.adminToken("ops"), null).status())
                    .isEqualTo(200);
            alice.awaitType("room_closed");
            List<String> onB = atB.linesUntil("room_deleted lobby ops", line -> true);
            assertThat(onB).as("node b: what was done through node b; no online/offline or occupancy in a cluster")
                    .containsExactly("member_joined lobby bob", "private_message bob alice psst",
                            "broadcast ops all", "room_deleted lobby ops");
            await().atMost(java.time.Duration.ofSeconds(10)).until(() -> atA.lines().size() >= 3);
            assertThat(atA.lines()).as("node a: what was done through node a").hasSize(3);
            assertThat(atA.lines().subList(0, 2)).containsExactly("room_created lobby ops", "member_joined lobby alice");
            // The room message with the seq the ack carried and the shared stream's epoch, once, on the accepting node.
            assertThat(atA.lines().get(2)).isEqualTo("room_message lobby alice " + seq + " " + epoch + " from a");
        }
    }
}
