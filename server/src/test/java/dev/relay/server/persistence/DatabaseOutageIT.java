package dev.relay.server.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.TcpProxy;
import dev.relay.server.testing.Http;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL goes away (a proxy in front of the shared database is cut) under a server with ack_after_persist: the
 * messages accepted meanwhile are delivered but not acked, readiness turns false, once the write queue is full new
 * messages get temporarily_unavailable, and when the database is back the writer catches up: every accepted message
 * is stored and acked, readiness returns, and nothing refused was stored.
 */
class DatabaseOutageIT {
    private static final String BASE = "jdbc:postgresql://" + ExternalService.POSTGRES.host() + ":"
            + ExternalService.POSTGRES.port() + "/test?user=postgres";
    private static final int QUEUE = 20;

    private final String schema = "relay_outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private TcpProxy proxy;
    private TestServer server;

    @BeforeEach
    void setUp() throws Exception {
        ExternalService.POSTGRES.assumeAvailable();
        try (Connection c = DriverManager.getConnection(BASE); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        proxy = new TcpProxy(ExternalService.POSTGRES.host(), ExternalService.POSTGRES.port());
        server = TestServer.start(Map.of("enable_message_persistence", "true", "ack_after_persist", "true",
                "persistence_queue_size", String.valueOf(QUEUE), "persistence_batch_delay", "0s",
                "database_url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?user=postgres&currentSchema="
                        + schema + ",public&connectTimeout=2&socketTimeout=5"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        try (Connection c = DriverManager.getConnection(BASE); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException ignored) {
            // PostgreSQL was not there to begin with
        }
    }

    private boolean ready() {
        return server.service().observability().health().readiness().ready();
    }

    @Test
    void acceptedMessagesAreKeptThroughAnOutageAndOnlyMessagesPastTheQueueBoundAreRefused() throws Exception {
        try (WsClient alice = server.connect("alice", "general")) {
            alice.send(Map.of("type", "room_message", "id", "before", "room_id", "general", "content", "before"));
            assertThat(alice.awaitType("ack").path("data").path("ref").asText()).isEqualTo("before");
            assertThat(ready()).isTrue();

            proxy.cut();
            for (int i = 1; i <= QUEUE; i++) {
                alice.send(Map.of("type", "room_message", "id", "during-" + i, "room_id", "general",
                        "content", "during " + i));
            }
            Map<String, JsonNode> answers = new HashMap<>();
            List<String> delivered = new ArrayList<>();
            while (delivered.size() < QUEUE) {
                JsonNode message = alice.next();
                String type = message.path("type").asText();
                if ("room_message".equals(type)) {
                    delivered.add(message.path("content").asText());
                } else if ("ack".equals(type) || "error".equals(type)) {
                    answers.put(message.path("data").path("ref").asText(), message);
                }
            }
            assertThat(answers).as("up to the queue bound: accepted and delivered, neither acked nor refused")
                    .isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> !ready());
            assertThat(server.service().observability().health().readiness().reasons())
                    .contains("message_store_unavailable");

            alice.send(Map.of("type", "room_message", "id", "refused", "room_id", "general", "content", "refused"));
            JsonNode refused = alice.await(m -> "refused".equals(m.path("data").path("ref").asText()),
                    "the answer to the message past the bound");
            assertThat(refused.path("type").asText()).isEqualTo("error");
            assertThat(refused.path("data").path("code").asText()).isEqualTo("temporarily_unavailable");

            proxy.restore();
            Set<String> acked = new HashSet<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode next = alice.next();
                if ("ack".equals(next.path("type").asText())) {
                    acked.add(next.path("data").path("ref").asText());
                }
                return acked.size() == QUEUE;
            });
            await().atMost(Duration.ofSeconds(30)).until(this::ready);

            Http.Response history = server.http().get("/ws/rooms/general/messages?limit=100",
                    server.adminToken("root"));
            List<String> stored = new ArrayList<>();
            history.data().path("messages").forEach(m -> stored.add(m.path("content").asText()));
            assertThat(stored).hasSize(QUEUE + 1).startsWith("before").doesNotContain("refused")
                    .contains("during 1", "during " + QUEUE);
        }
    }
}
