package dev.relay.bench.load;

import dev.relay.server.WebSocketService;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.RelayConfig;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The fanout scenario end to end against an in-process Relay: messages flow, none is lost or duplicated. */
class FanoutIT {
    private static final String SECRET = "bench-it-secret-that-is-at-least-32-bytes";
    private WebSocketService relay;

    @BeforeEach
    void start() throws InterruptedException {
        RelayConfig config = ConfigLoader.load(null, Map.of(), Map.of(
                "host", "127.0.0.1", "port", "0", "jwt_secret", SECRET, "enable_rate_limit", "false",
                "log_dir", "target/it-logs"));
        relay = WebSocketService.create(config).start();
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring"})
    void fanoutDeliversEverythingOnce(String transport) throws Exception {
        assumeTrue(transport.equals("epoll") ? Epoll.isAvailable() : IoUring.isAvailable(),
                () -> "the generator cannot load " + transport + " here");
        LoadSettings settings = new LoadSettings(Scenario.FANOUT, Target.RELAY,
                URI.create("ws://127.0.0.1:" + relay.port() + "/ws/connect"), 20, 2, 0, 100, Duration.ofSeconds(2),
                Duration.ofMillis(500), 16, 1, SECRET, "general", 1, 0, 50, List.of(), 1, null, null, Duration.ofSeconds(5),
                false, List.of(), transport, false);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Result result = new LoadRun(settings, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

        assertThat(result.get("client_transport")).isEqualTo(transport);
        assertThat(result.getLong("deliveries")).isPositive();
        assertThat(result.getLong("lost")).isZero();
        assertThat(result.getLong("duplicated")).isZero();
        assertThat(result.getLong("errors")).isZero();
        assertThat(result.get("caught_up")).isEqualTo(true);
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("deliveries/s");
    }
}
