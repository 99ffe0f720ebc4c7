package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.testing.ExternalService;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes of a Redis cluster without persistence answer with the same, cluster-wide figures: the rollups go to
 * Redis instead of each node's memory, a user active on both nodes is one user, and the figures of a node that left
 * stay with the others.
 */
class AnalyticsWithoutPersistenceIT {
    private final String prefix = RedisKeys.freshPrefix();
    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeEach
    void services() {
        ExternalService.REDIS.assumeAvailable();
        engineServices();
    }

    /** The engine's settings; NATS nodes keep their shared state, and so these rollups, in Redis too. */
    Map<String, String> engine() {
        return Map.of("engine", "redis");
    }

    void engineServices() {
    }

    @AfterEach
    void stop() {
        nodes.forEach(TestServer::close);
        RedisKeys.delete(prefix);
    }

    private TestServer node(String id) {
        Map<String, String> config = new HashMap<>(engine());
        config.putAll(Map.of(
                "redis_url", RedisKeys.url(ExternalService.REDIS.port()), "redis_key_prefix", prefix, "node_id", id,
                "enable_rate_limit", "false", "enable_message_persistence", "false",
                "analytics_flush_interval", "100ms",
                "presence_ttl", "3s")); // cluster counts (online_now) follow the heartbeat, a third of this
        TestServer node = TestServer.start(config);
        nodes.add(node);
        return node;
    }

    private static JsonNode overview(TestServer node) {
        return node.http().get("/ws/analytics/overview?window=1h", node.adminToken("ops")).data();
    }

    private static long dailyActiveToday(TestServer node) {
        return node.http().get("/ws/analytics/active-users?period=day", node.adminToken("ops")).data()
                .path("series").get(29).path("active_users").asLong();
    }

    private List<String> analyticsKeys() {
        RedisClient client = RedisClient.create(RedisKeys.url(ExternalService.REDIS.port()));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().keys(prefix + "analytics:*");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void twoNodesGiveTheSameOverviewAndAUserOnBothIsOne() {
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient aliceOnA = a.connect("alice", "general");
             WsClient aliceOnB = b.connect("alice", "general");
             WsClient bobOnB = b.connect("bob", "general")) {
            for (int i = 0; i < 2; i++) {
                aliceOnA.send(Map.of("type", "room_message", "room_id", "general", "id", "a" + i, "content", "x"));
                aliceOnA.awaitType("ack");
            }
            for (int i = 0; i < 3; i++) {
                bobOnB.send(Map.of("type", "room_message", "room_id", "general", "id", "b" + i, "content", "y"));
                bobOnB.awaitType("ack");
            }
            aliceOnB.send(Map.of("type", "private_message", "to", "bob", "id", "p", "content", "z"));
            aliceOnB.awaitType("ack");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                for (TestServer node : List.of(a, b)) {
                    JsonNode figures = overview(node);
                    assertThat(figures.path("messages").path("total").asLong()).isEqualTo(6);
                    assertThat(figures.path("users").path("active").asLong()).isEqualTo(2);
                    assertThat(figures.path("users").path("online_now").asLong()).isEqualTo(2);
                    assertThat(figures.path("users").path("peak_online").asLong()).isEqualTo(2);
                    assertThat(figures.path("connections").path("opened").asLong()).isEqualTo(3);
                    assertThat(dailyActiveToday(node)).as("alice on two nodes is one user").isEqualTo(2);
                }
            });
            JsonNode onA = overview(a);
            JsonNode onB = overview(b);
            for (String part : List.of("messages", "users", "connections", "top_rooms", "top_users", "errors")) {
                assertThat(onA.path(part)).as(part).isEqualTo(onB.path(part));
            }
            assertThat(onA.path("top_rooms").get(0).path("messages").asLong()).isEqualTo(5);
            assertThat(onA.path("top_rooms").get(0).path("active_users").asLong()).isEqualTo(2);
            assertThat(onA.path("top_users").toString())
                    .isEqualTo("[{\"user_id\":\"alice\",\"messages\":3},{\"user_id\":\"bob\",\"messages\":3}]");
            assertThat(analyticsKeys()).isNotEmpty().allMatch(key -> key.startsWith(prefix + "analytics:{analytics}:"));
        }

        a.close(); // its figures are in Redis, not in its memory
        nodes.remove(a);
        JsonNode left = overview(b);
        assertThat(left.path("messages").path("total").asLong()).isEqualTo(6);
        assertThat(left.path("users").path("active").asLong()).isEqualTo(2);
    }
}
