package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

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

            Map<String, Long> acked = new ConcurrentHashMap<>(); // the client's message id -> seq
            AtomicInteger refusals = new AtomicInteger();
            CountDownLatch halfway = new CountDownLatch(2);
            Thread pa = Thread.ofPlatform().start(() -> publish(writerA, "a", acked, refusals, halfway));
            Thread pb = Thread.ofPlatform().start(() -> publish(writerB, "b", acked, refusals, halfway));

            assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
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
                Map<String, Long> seen = new LinkedHashMap<>();
                int duplicates = 0;
                long lastSeq = -1;
                while (seen.size() < acked.size()) {
                    JsonNode message = reader.awaitType("room_message");
                    long seq = message.path("seq").asLong();
                    assertThat(seq).as("in seq order, no gaps").isEqualTo(lastSeq < 0 ? seq : lastSeq + 1);
                    lastSeq = seq;
                    if (seen.put(message.path("content").asText(), seq) != null) {
                        duplicates++;
                    }
                }
                long lost = acked.entrySet().stream()
                        .filter(ack -> !ack.getValue().equals(seen.get(ack.getKey()))).count();
                System.out.printf("broker outage: reader saw %d messages; acknowledged-but-lost=%d duplicates=%d"
                        + " refusals-retried=%d%n", seen.size(), lost, duplicates, refusals.get());
                assertThat(lost).as("acknowledged but lost").isZero();
                assertThat(duplicates).as("duplicates").isZero();
                reader.expectNothingPendingExcept("user_joined", "user_left", "presence");
            }
        }
    }

    /** Sends PER_PUBLISHER messages one at a time, retrying each with the same id until it is acknowledged. */
    private static void publish(WsClient writer, String name, Map<String, Long> acked, AtomicInteger refusals,
                                CountDownLatch halfway) {
        for (int i = 0; i < PER_PUBLISHER; i++) {
            String id = name + "-" + i;
            while (true) {
                writer.send(Map.of("type", "room_message", "room_id", "general", "id", id, "content", id));
                JsonNode answer = writer.await(m -> id.equals(m.path("data").path("ref").asText()),
                        "the answer to " + id);
                if ("ack".equals(answer.path("type").asText())) {
                    acked.put(id, answer.path("data").path("seq").asLong());
                    break;
                }
                refusals.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a client's retry backoff
            }
            if (i == PER_PUBLISHER / 3) {
                halfway.countDown();
            }
        }
    }
}
