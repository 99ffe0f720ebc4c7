package dev.relay.bench.load;

import dev.relay.core.testing.ExternalService;
import dev.relay.server.WebSocketService;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.RelayConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster scenario end to end against two in-process nodes on the real Redis: subscribers and publishers on
 * both nodes, every message delivered once to every subscriber on either node.
 */
class ClusterScenarioIT {
    private static final String SECRET = "bench-it-secret-that-is-at-least-32-bytes";
    private final String prefix = "relay-bench-it-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final List<WebSocketService> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws InterruptedException {
        ExternalService.REDIS.assumeAvailable();
        for (String id : List.of("a", "b")) {
            RelayConfig config = ConfigLoader.load(null, Map.of(), Map.of(
                    "host", "127.0.0.1", "port", "0", "jwt_secret", SECRET, "enable_rate_limit", "false",
                    "log_dir", "target/it-logs", "engine", "redis", "node_id", id, "redis_key_prefix", prefix,
                    "redis_url", "redis://" + ExternalService.REDIS.host() + ":" + ExternalService.REDIS.port()));
            nodes.add(WebSocketService.create(config).start());
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(WebSocketService::close);
        RedisClient client = RedisClient.create("redis://" + ExternalService.REDIS.host() + ":"
                + ExternalService.REDIS.port());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "*"));
            while (keys.hasNext()) {
                c.sync().del(keys.next());
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void clusterFanoutOverTwoNodesDeliversEverythingOnce() throws Exception {
        List<URI> urls = nodes.stream().map(n -> URI.create("ws://127.0.0.1:" + n.port() + "/ws/connect")).toList();
        LoadSettings settings = new LoadSettings(Scenario.CLUSTER, Target.RELAY, urls.getFirst(), 20, 2, 0, 100,
                Duration.ofSeconds(2), Duration.ofMillis(500), 16, 1, SECRET, "general", 1, 0, 50, List.of(), 1, null, null,
                Duration.ofSeconds(5), false, urls, "epoll", false);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Result result = new LoadRun(settings, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

        assertThat(result.getLong("deliveries")).isPositive();
        assertThat(result.getLong("lost")).isZero();
        assertThat(result.getLong("duplicated")).isZero();
        assertThat(result.getLong("errors")).isZero();
        assertThat(result.get("caught_up")).isEqualTo(true);
        assertThat(result.getLong("nodes")).isEqualTo(2);
        // Both nodes had a publisher: each accepted messages of its own.
        assertThat(nodes).allSatisfy(n -> assertThat(n.hub().queries().stats().totalMessages()).isPositive());
    }
}
