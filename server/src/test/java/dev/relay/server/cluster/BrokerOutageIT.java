package dev.relay.server.cluster;

import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.TcpProxy;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Node a reaches Redis through a TCP proxy that the test cuts and restores while clients on both nodes publish;
 * the shared Redis itself is never stopped. Every acknowledged message must reach every reader exactly once, in seq
 * order: the test counts acknowledged-but-lost and duplicated messages and requires both to be zero.
 */
class BrokerOutageIT {
    private static final int PER_PUBLISHER = 150;
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

    private TestServer node(String id, int redisPort) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "engine", "redis",
                "redis_url", RedisKeys.url(redisPort),
                "redis_key_prefix", prefix,
                "node_id", id,
                "enable_rate_limit", "false"));
        TestServer node = TestServer.start(settings);
        nodes.add(node);
        return node;
    }

    @Test
    void cutting_one_nodes_redis_during_traffic_loses_and_duplicates_no_acknowledged_message() throws Exception {
        try (TcpProxy proxy = TcpProxy.to(ExternalService.REDIS)) {
            TestServer a = node("a", proxy.port());
            TestServer b = node("b", ExternalService.REDIS.port());
            WsClient readerA = a.connect("reader-a", "general");
            WsClient readerB = b.connect("reader-b", "general");
            WsClient writerA = a.connect("writer-a", "general");
            WsClient writerB = b.connect("writer-b", "general");

            AcknowledgedTraffic traffic = new AcknowledgedTraffic(2, PER_PUBLISHER);
            Map<String, Long> acked = traffic.acked;
            AtomicInteger refusals = traffic.refusals;
            Thread pa = traffic.write(writerA, "a");
            Thread pb = traffic.write(writerB, "b");

            assertThat(traffic.awaitAThirdWritten()).isTrue();
            proxy.cut();
            long fromBAtCut = acked.keySet().stream().filter(id -> id.startsWith("b-")).count();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.http().get("/health/ready", null).status() == 503);
            assertThat(a.http().get("/health/ready", null).body().toString()).contains("broker_unreachable");
            // b goes on publishing while a is cut off; a's writer gets broker_unavailable and retries.
            await().atMost(Duration.ofSeconds(10)).until(() -> refusals.get() > 0
                    && acked.keySet().stream().filter(id -> id.startsWith("b-")).count() > fromBAtCut + 5);
            proxy.restore();
            pa.join(60_000);
            pb.join(60_000);
            assertThat(acked).hasSize(2 * PER_PUBLISHER);
            await().atMost(Duration.ofSeconds(10)).until(() -> a.http().get("/health/ready", null).status() == 200);

            for (WsClient reader : List.of(readerA, readerB)) {
                AcknowledgedTraffic.Audit audit = traffic.readBy(reader);
                long lost = audit.lost();
                int duplicates = audit.duplicates();
                System.out.printf("broker outage: reader saw %d messages; acknowledged-but-lost=%d duplicates=%d"
                        + " refusals-retried=%d%n", audit.seen(), lost, duplicates, refusals.get());
                assertThat(lost).as("acknowledged but lost").isZero();
                assertThat(duplicates).as("duplicates").isZero();
                reader.expectNothingPendingExcept("user_joined", "user_left", "presence");
            }
        }
    }
}
