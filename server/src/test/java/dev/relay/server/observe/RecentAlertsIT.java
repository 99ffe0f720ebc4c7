package dev.relay.server.observe;

import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /ws/alerts}: the latest alert changes for the admin dashboard, newest first; admins only. */
class RecentAlertsIT {
    @Test
    void anAlertThatFiresAndClearsIsListedNewestFirstForAdminsOnly() {
        try (TestServer server = TestServer.start(Map.of("enable_alerts", "true", "alert_check_interval", "20ms",
                "max_connections", "4", "alert_connections_ratio", "0.3"))) {
            String admin = server.adminToken("ops");
            Http.Response quiet = server.http().get("/ws/alerts", admin);
            assertThat(quiet.status()).isEqualTo(200);
            assertThat(quiet.data().path("enabled").asBoolean()).isTrue();
            assertThat(quiet.data().path("alerts").size()).isZero();

            WsClient alice = server.connect("alice", "general");
            WsClient bob = server.connect("bob", "general"); // 2 of 4 = 0.5, over 0.3
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    server.http().get("/ws/alerts", admin).data().path("alerts").size() == 1);
            bob.close();
            alice.close();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    server.http().get("/ws/alerts", admin).data().path("alerts").size() == 2);

            var alerts = server.http().get("/ws/alerts", admin).data().path("alerts");
            assertThat(alerts.get(0).path("status").asText()).isEqualTo("cleared");
            assertThat(alerts.get(1).path("status").asText()).isEqualTo("firing");
            assertThat(alerts.get(1).path("alert").asText()).isEqualTo("connections");
            assertThat(alerts.get(1).path("value").asDouble()).isEqualTo(0.5);
            assertThat(alerts.get(1).path("threshold").asDouble()).isEqualTo(0.3);
            assertThat(alerts.get(1).path("timestamp").asText()).endsWith("Z");

            Http.Response user = server.http().get("/ws/alerts", server.token("alice"));
            assertThat(user.status()).isEqualTo(403);
            assertThat(user.errorCode()).isEqualTo("forbidden");
        }
    }

    @Test
    void withoutAlertsTheListSaysSo() {
        try (TestServer server = TestServer.start(Map.of())) {
            Http.Response answer = server.http().get("/ws/alerts", server.adminToken("ops"));
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.data().path("enabled").asBoolean()).isFalse();
            assertThat(answer.data().path("alerts").size()).isZero();
        }
    }
}
