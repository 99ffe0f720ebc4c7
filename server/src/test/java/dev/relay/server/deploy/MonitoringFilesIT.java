package dev.relay.server.deploy;

import dev.relay.server.testing.Prometheus;
import dev.relay.server.testing.RecordingListener;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Every metric the Grafana dashboard and the Prometheus rules under deploy/ query exists in a real server's scrape
 * once it has seen the traffic each metric counts: a renamed metric breaks the build, not an operator's dashboard.
 */
class MonitoringFilesIT {
    @Test
    void everyMetricTheDashboardAndTheRulesUseIsScraped() {
        Set<String> used = DeployFiles.metricNames(DeployFiles.promqlExpressions());
        try (TestServer server = TestServer.start(Map.of("enable_message_filter", "true", "filter_words", "forbidden",
                "enable_performance_metrics", "true"), List.of(new RecordingListener("dashboard")))) {
            produceTrafficOfEveryKind(server);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Prometheus scrape = server.scrape();
                Set<String> missing = new TreeSet<>();
                for (String name : used) {
                    if (!scrape.has(name)) {
                        missing.add(name);
                    }
                }
                assertThat(missing).as("metrics the dashboard or the rules use but the server does not export")
                        .isEmpty();
            });
            assertThat(server.scrape().value("relay_ready")).as("a started server is ready").isEqualTo(1.0);
        }
    }

    private static void produceTrafficOfEveryKind(TestServer server) {
        // A refused upgrade (relay_handshakes_refused_total).
        assertThatThrownBy(() -> HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/connect?token=not-a-token"),
                        new WebSocket.Listener() { }).join())
                .isInstanceOf(CompletionException.class);
        try (WsClient alice = server.connect("alice", "general"); WsClient bob = server.connect("bob", "general")) {
            alice.send(Map.of("type", "no_such_type"));                       // refused, by reason
            alice.awaitType("error");
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "forbidden word"));
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "hello"));
            bob.awaitType("room_message");                                    // delivery latency, fan-out
        }                                                                    // closed connections, by code
        assertThat(server.http().get("/ws/stats", server.adminToken("ops")).status()).isEqualTo(200);
        System.gc();                                                         // a GC pause to time
    }
}
