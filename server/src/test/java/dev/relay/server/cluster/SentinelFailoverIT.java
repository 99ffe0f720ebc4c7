package dev.relay.server.cluster;

import dev.relay.engine.redis.testing.RedisProcesses;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes on a real Sentinel group (a master, two replicas, three Sentinels) with {@code redis_wait_replicas: 1};
 * the master is SIGKILLed while writers on both nodes publish, each retrying a refused message with the same id.
 * Readers on both nodes must then see every acknowledged message once, in seq order: the test counts
 * acknowledged-but-lost and duplicated messages and requires both to be zero.
 */
class SentinelFailoverIT {
    private static final int PER_PUBLISHER = 100;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private TestServer node(String id, RedisProcesses.Sentinels group) {
        TestServer node = TestServer.start(Map.of("engine", "redis", "redis_url", group.url(),
                "redis_wait_replicas", "1", "node_id", id, "enable_rate_limit", "false"));
        closing.add(node::close);
        return node;
    }

    @Test
    void a_master_killed_during_traffic_loses_and_duplicates_no_acknowledged_message() throws Exception {
        RedisProcesses.Sentinels group = RedisProcesses.sentinels(2);
        closing.add(group);
        TestServer a = node("a", group);
        TestServer b = node("b", group);
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
        int master = group.master();
        group.kill(master);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.http().get("/health/ready", null).status() == 503);
        group.awaitFailoverFrom(master);
        pa.join(60_000);
        pb.join(60_000);
        assertThat(acked).hasSize(2 * PER_PUBLISHER);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.http().get("/health/ready", null).status() == 200
                && b.http().get("/health/ready", null).status() == 200);

        for (WsClient reader : List.of(readerA, readerB)) {
            AcknowledgedTraffic.Audit audit = traffic.readBy(reader);
            long lost = audit.lost();
            int duplicates = audit.duplicates();
            System.out.printf("sentinel failover (server, redis_wait_replicas=1): reader saw %d messages;"
                    + " acknowledged-but-lost=%d duplicates=%d refusals-retried=%d%n", audit.seen(), lost, duplicates,
                    refusals.get());
            assertThat(lost).as("acknowledged but lost").isZero();
            assertThat(duplicates).as("duplicates").isZero();
            reader.expectNothingPendingExcept("user_joined", "user_left", "presence");
        }
    }
}
