package dev.relay.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.LogCapture;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A running server's statistics lines, alerts with their webhook, health probes and the internal port. */
class OperationsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void logsAPerformanceLineEveryStatisticsInterval() {
        try (LogCapture log = LogCapture.of(Statistics.class);
             TestServer server = TestServer.start(Map.of("statistics_interval", "50ms"));
             WsClient alice = server.connect("alice", "general")) {
            assertThat(alice.isClosed()).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> log.messages().stream()
                    .filter(line -> line.contains("connections=1 users=1")).count() >= 2);

            String line = log.messages().getLast();
            assertThat(line).startsWith("PERFORMANCE connections=").contains(" rooms=3 ", " messages_in_per_s=",
                    " messages_out_per_s=", " latency_p50_ms=", " latency_p99_ms=", " heap_used_mb=");
        }
    }

    @Test
    void noPerformanceLinesWithoutStatistics() {
        try (LogCapture log = LogCapture.of(Statistics.class);
             LogCapture alerts = LogCapture.of(Alerts.class);
             TestServer server = TestServer.start(Map.of("enable_statistics", "false", "statistics_interval", "10ms",
                     "enable_alerts", "true", "alert_check_interval", "10ms", "max_connections", "2",
                     "alert_connections_ratio", "0.1"));
             WsClient alice = server.connect("alice", "general")) {
            assertThat(alice.isClosed()).isFalse();
            // Both would run on the one operations thread at the same period, statistics first; so once an
            // alert check has seen the connection, a statistics line would have been written by now.
            await().atMost(Duration.ofSeconds(10)).until(() -> alerts.messages().stream()
                    .anyMatch(line -> line.startsWith("ALERT firing alert=connections")));
            assertThat(log.messages()).isEmpty();
        }
    }

    @Test
    void anAlertFiresAndClearsWithALogLineAndAWebhookPost() throws IOException {
        List<JsonNode> posts = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/alerts", exchange -> {
            JsonNode post = JSON.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            // Only the alert this test drives: on a loaded machine the latency or heap alerts may fire as well.
            if (post.path("alert").asText().equals("connections")) {
                posts.add(post);
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try (LogCapture log = LogCapture.of(Alerts.class);
             TestServer server = TestServer.start(Map.of("enable_alerts", "true", "alert_check_interval", "20ms",
                     "max_connections", "4", "alert_connections_ratio", "0.3", "alert_webhook_cooldown", "1ms",
                     "alert_webhook_url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts"))) {
            WsClient first = server.connect("alice", "general");
            assertThat(log.messages()).as("1 of 4 is under 0.3").noneMatch(line -> line.contains("alert=connections"));
            WsClient second = server.connect("bob", "general"); // 2 of 4 = 0.5

            await().atMost(Duration.ofSeconds(10)).until(() -> posts.size() == 1);
            assertThat(posts.getFirst().path("alert").asText()).isEqualTo("connections");
            assertThat(posts.getFirst().path("status").asText()).isEqualTo("firing");
            assertThat(log.messages()).anyMatch(line ->
                    line.startsWith("ALERT firing alert=connections value=0.500 threshold=0.300"));

            second.close();
            first.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> posts.size() == 2);
            assertThat(posts.get(1).path("status").asText()).isEqualTo("cleared");
            assertThat(log.messages()).anyMatch(line -> line.startsWith("ALERT cleared alert=connections"));
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void probesAnswerWithoutATokenAndReadinessFollowsTheConnectionLimit() {
        try (TestServer server = TestServer.start(Map.of("max_connections", "1"))) {
            Http http = server.http();
            Http.Response live = http.get("/health/live", null);
            assertThat(live.status()).isEqualTo(200);
            assertThat(live.body().path("status").asText()).isEqualTo("live");
            Http.Response ready = http.get("/health/ready", null);
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body().path("status").asText()).isEqualTo("ready");
            assertThat(ready.body().path("reasons").isEmpty()).isTrue();

            WsClient only = server.connect("alice", "general");
            Http.Response full = http.get("/health/ready", null);
            assertThat(full.status()).isEqualTo(503);
            assertThat(full.body().path("status").asText()).isEqualTo("not_ready");
            assertThat(full.body().path("reasons").toString()).isEqualTo("[\"connection_limit_reached\"]");

            only.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/health/ready", null).status() == 200);
        }
    }

    @Test
    void theInternalPortTakesMetricsAndHealthAwayFromThePublicOne() {
        try (TestServer server = TestServer.start(Map.of("internal_port", "0"))) {
            Http internal = server.internalHttp();
            Http external = server.http();

            assertThat(internal.get("/metrics", null).status()).isEqualTo(200);
            assertThat(internal.get("/health/ready", null).status()).isEqualTo(200);
            assertThat(external.get("/metrics", null).status()).isEqualTo(404);
            assertThat(external.get("/health/live", null).status()).isEqualTo(404);
            assertThat(internal.get("/ws/rooms", server.token("alice")).status()).as("no API inside").isEqualTo(404);
            assertThat(external.send("DELETE", "/ws/rooms/support", server.token("alice"), null).status())
                    .as("admin routes stay public unless internal_admin").isEqualTo(403);
        }
    }

    @Test
    void withInternalAdminTheAdminRoutesMoveToo() {
        try (TestServer server = TestServer.start(Map.of("internal_port", "0", "internal_admin", "true"))) {
            String admin = server.adminToken("ops");
            assertThat(server.http().post("/ws/rooms", admin, "{\"id\":\"scratch\"}").status()).isEqualTo(201);

            assertThat(server.http().send("DELETE", "/ws/rooms/scratch", admin, null).status()).isEqualTo(404);
            assertThat(server.internalHttp().send("DELETE", "/ws/rooms/scratch", server.token("alice"), null)
                    .status()).as("still needs an admin").isEqualTo(403);
            assertThat(server.internalHttp().send("DELETE", "/ws/rooms/scratch", admin, null).status()).isEqualTo(200);
            assertThat(server.http().get("/ws/users/ops/activity", admin).status()).as("activity stays public")
                    .isEqualTo(200);
        }
    }
}
