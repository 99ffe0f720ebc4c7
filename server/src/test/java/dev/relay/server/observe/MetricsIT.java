package dev.relay.server.observe;

import dev.relay.server.testing.Http;
import dev.relay.server.testing.Prometheus;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** /metrics after real traffic: each action moves the counters it should, by as much as it should. */
class MetricsIT {
    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("rate_limit_per_minute", "3"));
        http = server.http();
        assertThat(http.post("/ws/rooms", server.adminToken("ops"), "{\"id\":\"metrics\"}").status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void isPrometheusTextWithoutAToken() {
        Http.Response response = http.get("/metrics", null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.raw().headers().firstValue("content-type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/plain"));
        Prometheus scrape = Prometheus.parse(response.raw().body());
        assertThat(scrape.text()).contains("# TYPE relay_connections_opened_total counter");
        for (String name : new String[]{"jvm_memory_used_bytes", "jvm_threads_live_threads",
                "jvm_gc_memory_allocated_bytes_total", "relay_event_loop_pending_tasks", "relay_delivery_queued"}) {
            assertThat(scrape.has(name)).as(name).isTrue();
        }
    }

    @Test
    void countsConnectionsMessagesAndTheirFanOut() {
        Prometheus before = server.scrape();
        try (WsClient alice = server.connect("alice", "metrics");
             WsClient bob = server.connect("bob", "metrics")) {
            // The counters move just after the frames reach the clients: wait for them, then check they are exact.
            // Presence first: alice's own user_joined, then bob's to both of them.
            Prometheus connected = scrapeUntil(before,
                    scrape -> delta(before, scrape, "relay_fanout_deliveries_total") >= 3);
            assertThat(delta(before, connected, "relay_fanout_deliveries_total")).isEqualTo(3);
            assertThat(connected.value("relay_connections")).isEqualTo(before.value("relay_connections") + 2);
            assertThat(connected.value("relay_users_online")).isEqualTo(before.value("relay_users_online") + 2);
            assertThat(delta(before, connected, "relay_connections_opened_total")).isEqualTo(2);

            alice.send(Map.of("type", "room_message", "room_id", "metrics", "content", "hello"));
            alice.awaitType("room_message");
            bob.awaitType("room_message");
            Prometheus after = scrapeUntil(connected, scrape ->
                    delta(connected, scrape, "relay_fanout_deliveries_total") >= 2
                            && delta(connected, scrape, "relay_messages_delivered_total", "type", "room_message") >= 1);

            assertThat(delta(connected, after, "relay_messages_received_total", "type", "room_message")).isEqualTo(1);
            assertThat(delta(connected, after, "relay_messages_delivered_total", "type", "room_message")).isEqualTo(1);
            assertThat(delta(connected, after, "relay_fanout_deliveries_total")).as("one per member").isEqualTo(2);
            assertThat(delta(connected, after, "relay_received_bytes_total")).isPositive();
            assertThat(delta(connected, after, "relay_sent_bytes_total")).isPositive();
            // One delivery per event loop holding a member: one or two.
            assertThat(delta(connected, after, "relay_delivery_latency_seconds_count")).isBetween(1.0, 2.0);
            assertThat(after.value("relay_delivery_latency_seconds_bucket", "le", "+Inf"))
                    .isEqualTo(after.value("relay_delivery_latency_seconds_count"));
        }
    }

    @Test
    void countsClosesByCodeAndRefusalsByReason() {
        Prometheus before = server.scrape();
        WsClient carol = server.connect("carol", "general");
        carol.close(); // 1000 from the client
        await().atMost(Duration.ofSeconds(5)).until(() ->
                delta(before, server.scrape(), "relay_connections_closed_total", "code", "1000") == 1);

        Throwable refused = WsClient.connectFailure(server.connectUri("general", "not-a-token"), Map.of());
        assertThat(refused).isNotNull();
        Prometheus after = server.scrape();

        assertThat(delta(before, after, "relay_handshakes_refused_total", "reason", "auth")).isEqualTo(1);
        assertThat(delta(before, after, "relay_handshakes_refused_total", "reason", "origin")).isZero();
    }

    @Test
    void countsTheCloseCodeOfAFrameTooBigThatTheDecoderRefused() throws IOException {
        Prometheus before = server.scrape();
        try (RawWebSocket raw = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token("oscar"),
                Map.of())) {
            assertThat(raw.handshake().status()).isEqualTo(101);
            raw.awaitType("welcome");
            raw.sendText("x".repeat(9000)); // over the default max_message_size of 8 KiB
            assertThat(raw.awaitClose().closeCode()).isEqualTo(1009);
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                delta(before, server.scrape(), "relay_connections_closed_total", "code", "1009") == 1);
        assertThat(server.scrape().find("relay_connections_closed_total", "code", "1006"))
                .as("not counted as dropped").isEqualTo(before.find("relay_connections_closed_total", "code", "1006"));
    }

    @Test
    void countsRateLimitedAndRefusedMessages() {
        try (WsClient dave = server.connect("dave", "general")) {
            Prometheus before = server.scrape();
            dave.send("{not json");
            assertThat(dave.awaitType("error").path("data").path("code").asText()).isEqualTo("invalid_json");
            for (int i = 0; i < 2; i++) {
                dave.send(Map.of("type", "ping", "id", "p" + i));
                dave.awaitType("pong");
            }
            dave.send(Map.of("type", "ping", "id", "over"));
            dave.awaitType("error");
            dave.send("{not json, over the budget");
            dave.awaitType("error");
            Prometheus after = scrapeUntil(before, "relay_messages_received_total", "type", "invalid", 2);

            assertThat(delta(before, after, "relay_messages_received_total", "type", "ping")).isEqualTo(3);
            // A frame that is not JSON costs a token like a message: within the budget invalid_json, past it
            // rate_limited.
            assertThat(delta(before, after, "relay_messages_rate_limited_total")).isEqualTo(2);
            assertThat(delta(before, after, "relay_messages_refused_total", "reason", "rate_limited")).isEqualTo(2);
            assertThat(delta(before, after, "relay_messages_refused_total", "reason", "invalid_json")).isEqualTo(1);
        }
    }

    @Test
    void timesRestCallsByRouteAndStatus() {
        Prometheus before = server.scrape();
        http.get("/ws/rooms", server.token("erin"));
        http.get("/ws/rooms", null);
        http.get("/ws/nowhere", null);
        Prometheus after = server.scrape();

        assertThat(delta(before, after, "relay_http_requests_seconds_count",
                "method", "GET", "route", "/ws/rooms", "status", "200")).isEqualTo(1);
        assertThat(delta(before, after, "relay_http_requests_seconds_count",
                "method", "GET", "route", "/ws/rooms", "status", "401")).isEqualTo(1);
        assertThat(delta(before, after, "relay_http_requests_seconds_count",
                "method", "GET", "route", "unmatched", "status", "404")).isEqualTo(1);
    }

    @Test
    void withoutPerformanceMetricsThereIsNoLatencyHistogram() {
        try (TestServer plain = TestServer.start(Map.of("enable_performance_metrics", "false"));
             WsClient frank = plain.connect("frank", "general")) {
            frank.send(Map.of("type", "room_message", "room_id", "general", "content", "untimed"));
            frank.awaitType("room_message");
            // The delivered counter moves just after the hub hands the message over: wait for it.
            Prometheus[] scrape = new Prometheus[1];
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    (scrape[0] = plain.scrape()).value("relay_messages_delivered_total", "type", "room_message") >= 1);

            assertThat(scrape[0].has("relay_delivery_latency_seconds_count")).isFalse();
            assertThat(scrape[0].value("relay_messages_delivered_total", "type", "room_message")).isEqualTo(1);
        }
    }

    /**
     * Waits until the connections of earlier tests are gone on the server side too, so their closes and presence
     * events cannot land between this test's scrapes.
     */
    @BeforeEach
    void quiet() {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Prometheus scrape = server.scrape();
            return scrape.value("relay_connections") == 0 && scrape.value("relay_connections_opened_total")
                    == scrape.sum("relay_connections_closed_total");
        });
    }

    private static double delta(Prometheus before, Prometheus after, String name, String... labels) {
        return after.value(name, labels) - before.find(name, labels).orElse(0.0);
    }

    private static Prometheus scrapeUntil(Prometheus before, String name, String label, String value, double by) {
        return scrapeUntil(before, scrape -> delta(before, scrape, name, label, value) >= by);
    }

    private static Prometheus scrapeUntil(Prometheus before, Predicate<Prometheus> done) {
        Prometheus[] latest = new Prometheus[1];
        await().atMost(Duration.ofSeconds(5)).until(() -> done.test(latest[0] = server.scrape()));
        return latest[0];
    }
}
