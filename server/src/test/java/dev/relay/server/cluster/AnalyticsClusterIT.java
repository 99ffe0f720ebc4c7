package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.testing.ExternalService;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes of a Redis cluster sharing one PostgreSQL message store answer with the same, cluster-wide figures:
 * each node writes its own rollups, both read the sum, and a user active on both is one user.
 */
class AnalyticsClusterIT {
    private static final String BASE = "jdbc:postgresql://" + ExternalService.POSTGRES.host() + ":"
            + ExternalService.POSTGRES.port() + "/test?user=postgres";
    private final String prefix = RedisKeys.freshPrefix();
    private final String schema = "relay_an_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeEach
    void services() throws SQLException {
        ExternalService.REDIS.assumeAvailable();
        ExternalService.POSTGRES.assumeAvailable();
        try (Connection c = DriverManager.getConnection(BASE); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
    }

    @AfterEach
    void stop() throws SQLException {
        nodes.forEach(TestServer::close);
        RedisKeys.delete(prefix);
        try (Connection c = DriverManager.getConnection(BASE); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private TestServer node(String id) {
        Map<String, String> config = new HashMap<>(Map.of("engine", "redis",
                "redis_url", RedisKeys.url(ExternalService.REDIS.port()), "redis_key_prefix", prefix, "node_id", id,
                "enable_rate_limit", "false", "enable_message_persistence", "true",
                "database_url", BASE + "&currentSchema=" + schema + ",public", "analytics_flush_interval", "100ms",
                "presence_ttl", "3s")); // cluster counts (online_now) follow the heartbeat, a third of this
        TestServer node = TestServer.start(config);
        nodes.add(node);
        return node;
    }

    private static JsonNode overview(TestServer node) {
        return node.http().get("/ws/analytics/overview?window=1h", node.adminToken("ops")).data();
    }

    @Test
    void twoNodesGiveTheSameOverview() {
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
                    assertThat(figures.path("connections").path("opened").asLong()).isEqualTo(3);
                }
            });
            JsonNode onA = overview(a);
            JsonNode onB = overview(b);
            for (String part : List.of("messages", "users", "connections", "top_rooms", "top_users", "errors")) {
                assertThat(onA.path(part)).as(part).isEqualTo(onB.path(part));
            }
            assertThat(onA.path("top_rooms").get(0).path("messages").asLong()).isEqualTo(5);
            assertThat(onA.path("top_rooms").get(0).path("active_users").asLong()).isEqualTo(2);
            // alice sent 2 room messages on a and a private one on b, bob 3 on b: a tie, ranked by id.
            assertThat(onA.path("top_users").toString())
                    .isEqualTo("[{\"user_id\":\"alice\",\"messages\":3},{\"user_id\":\"bob\",\"messages\":3}]");
            assertThat(b.http().get("/ws/analytics/active-users?period=day", b.adminToken("ops")).data()
                    .path("series").get(29).path("active_users").asLong()).isEqualTo(2);
        }
    }
}
