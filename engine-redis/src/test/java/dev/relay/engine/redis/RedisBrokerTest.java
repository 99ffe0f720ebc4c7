package dev.relay.engine.redis;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.BrokerContract;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.RecordingInbound;
import dev.relay.core.testing.TcpProxy;
import dev.relay.core.testing.TextCodec;
import dev.relay.engine.redis.testing.RedisTestKeys;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The Redis broker on one real Redis against the broker contract, under a key prefix of its own; and what only it
 * does: every node sees a room in seq order, placements in flight batch, the bounded queue, an outage.
 */
class RedisBrokerTest extends BrokerContract {
    private final String prefix = RedisTestKeys.freshPrefix();
    private final List<RedisBroker> others = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() {
        others.forEach(RedisBroker::close);
        RedisTestKeys.delete(prefix);
    }

    @Override
    protected Broker newBroker(String nodeId) {
        return broker(nodeId, RedisTestKeys.url(), STREAM_LENGTH, 1_000);
    }

    private RedisBroker broker(String nodeId, String url, int streamLength, int maxPending) {
        return new RedisBroker(new RedisOptions(url, prefix, nodeId, streamLength, Duration.ofMinutes(1), maxPending,
                Duration.ofSeconds(2)), new TextCodec());
    }

    private RedisBroker redisNode(String nodeId, RecordingInbound inbound) {
        return (RedisBroker) node(nodeId, inbound);
    }

    @Test
    void room_messages_from_two_nodes_arrive_everywhere_in_seq_order() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        RedisBroker a = redisNode("a", inA);
        RedisBroker b = redisNode("b", inB);
        a.followRoom("lobby");
        b.followRoom("lobby");
        following(a, "lobby", inA, inB);

        List<CompletableFuture<ServerMessage>> acks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            acks.add((i % 2 == 0 ? a : b).publishToRoom(draft("lobby", "m" + i), "epochAAAA", null));
        }
        acks.forEach(CompletableFuture::join);
        await().atMost(WAIT).until(() -> real(inA.rooms, "lobby").size() == 200
                && real(inB.rooms, "lobby").size() == 200);
        for (RecordingInbound in : List.of(inA, inB)) {
            assertThat(in.rooms).extracting(ServerMessage::seq).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void messages_published_while_a_placement_is_in_flight_share_script_calls_and_keep_their_order() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        RedisBroker a = redisNode("a", inA);
        RedisBroker b = redisNode("b", inB);
        a.followRoom("busy");
        b.followRoom("busy");
        following(a, "busy", inA, inB);
        long probes = a.position("busy").join().orElseThrow().seq();
        RedisClient client = RedisClient.create(RedisTestKeys.url());
        List<byte[]> payloads = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var listener = client.connectPubSub(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
            listener.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    payloads.add(message);
                }
            });
            listener.sync().subscribe(Keys.bytes(new Keys(prefix).roomChannel("busy")));

            List<CompletableFuture<ServerMessage>> acks = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                acks.add(a.publishToRoom(draft("busy", "m" + i), "e", null));
            }
            List<ServerMessage> placed = acks.stream().map(CompletableFuture::join).toList();
            assertThat(placed).extracting(ServerMessage::seq)
                    .as("a room's seq order is the order its messages were published on a node")
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(probes + 1, probes + 600)
                            .boxed().toList());
            await().atMost(WAIT).until(() -> real(inB.rooms, "busy").size() == 600 && payloads.size() > 0);
            assertThat(inB.rooms).extracting(ServerMessage::content).endsWith("m598", "m599");
            List<Long> seen = new ArrayList<>();
            payloads.forEach(payload -> RoomFrames.read(payload, (seq, epoch, body) -> seen.add(seq)));
            assertThat(seen).hasSize(600).isSorted();
            assertThat(payloads).as("600 messages in fewer pub/sub messages").hasSizeLessThan(600);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void a_retry_in_the_same_batch_as_its_first_attempt_is_placed_once() {
        RecordingInbound inA = new RecordingInbound();
        RedisBroker a = redisNode("a", inA);
        a.followRoom("r");
        following(a, "r", inA);
        long probes = a.position("r").join().orElseThrow().seq();
        List<CompletableFuture<ServerMessage>> burst = new ArrayList<>();
        for (int i = 0; i < 50; i++) { // the first goes alone; the rest wait for it and go as one call
            burst.add(a.publishToRoom(draft("r", "filler" + i), "e", null));
        }
        String retryKey = "alice\nroom_message\nr\nnull\nb-1";
        CompletableFuture<ServerMessage> first = a.publishToRoom(draft("r", "once"), "e", retryKey);
        CompletableFuture<ServerMessage> retry = a.publishToRoom(draft("r", "once"), "e", retryKey);
        burst.forEach(CompletableFuture::join);
        assertThat(retry.join().seq()).isEqualTo(first.join().seq());
        assertThat(retry.join().id()).isEqualTo(first.join().id());
        await().atMost(WAIT).until(() -> real(inA.rooms, "r").size() == 51);
        assertThat(inA.rooms).extracting(ServerMessage::content).filteredOn("once"::equals).hasSize(1);
        assertThat(a.position("r").join()).hasValueSatisfying(p -> assertThat(p.seq()).isEqualTo(probes + 51));
    }

    @Test
    void a_retry_through_another_node_is_not_published_again() {
        RecordingInbound inA = new RecordingInbound();
        RedisBroker a = redisNode("a", inA);
        RedisBroker b = redisNode("b", new RecordingInbound());
        a.followRoom("r");
        following(a, "r", inA);
        a.publishToRoom(draft("r", "once"), "e", "alice\nroom_message\nr\nnull\nc-1").join();
        b.publishToRoom(draft("r", "once"), "e", "alice\nroom_message\nr\nnull\nc-1").join();
        b.publishToRoom(draft("r", "twice"), "e", "alice\nroom_message\nr\nnull\nc-2").join();
        await().atMost(WAIT).until(() -> real(inA.rooms, "r").size() >= 2);
        assertThat(real(inA.rooms, "r")).extracting(ServerMessage::content).containsExactly("once", "twice");
    }

    @Test
    void a_private_message_counts_every_node_that_follows_the_user() {
        RedisBroker a = redisNode("a", new RecordingInbound());
        RedisBroker b = redisNode("b", new RecordingInbound());
        a.followUser("bob").join(); // a node's own subscription counts, though it drops what it published itself
        b.followUser("bob").join();
        assertThat(a.publishToUser("bob", pm("bob", "hi")).join()).isEqualTo(2);
        b.unfollowUser("bob");
        await().atMost(WAIT).until(() -> a.publishToUser("bob", pm("bob", PROBE)).join() == 1);
    }

    @Test
    void too_many_publishes_in_flight_are_refused_as_overloaded_not_queued() {
        RedisBroker a = broker("a", RedisTestKeys.url(), 100, 2);
        others.add(a);
        a.start(new RecordingInbound());
        List<CompletableFuture<ServerMessage>> burst = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            burst.add(a.publishToRoom(draft("r", "m"), "e", null));
        }
        long refused = burst.stream().filter(f -> {
            try {
                f.join();
                return false;
            } catch (CompletionException e) {
                return e.getCause() instanceof ProtocolException p && p.code() == ErrorCode.OVERLOADED;
            }
        }).count();
        assertThat(refused).isPositive();
        assertThat(a.position("r").join()).hasValueSatisfying(p -> assertThat(p.seq()).isEqualTo(500 - refused));
        assertThat(a.pending()).isZero();
    }

    @Test
    void while_redis_is_unreachable_publishes_fail_fast_and_after_it_is_back_the_node_is_told_to_catch_up()
            throws Exception {
        try (TcpProxy proxy = TcpProxy.to(ExternalService.REDIS)) {
            RecordingInbound inA = new RecordingInbound();
            RecordingInbound inB = new RecordingInbound();
            RedisBroker a = broker("a", "redis://" + ExternalService.REDIS.host() + ":" + proxy.port(), 1_000, 1_000);
            others.add(a);
            a.start(inA);
            RedisBroker b = redisNode("b", inB);
            a.followRoom("r");
            b.followRoom("r");
            following(b, "r", inA, inB);

            proxy.cut();
            await().atMost(WAIT).until(() -> !a.isConnected());
            assertThatThrownBy(() -> a.publishToRoom(draft("r", "lost"), "e", null).join())
                    .hasCauseInstanceOf(ProtocolException.class)
                    .satisfies(e -> assertThat(((ProtocolException) e.getCause()).code())
                            .isEqualTo(ErrorCode.BROKER_UNAVAILABLE));
            ServerMessage missed = b.publishToRoom(draft("r", "while a was away"), "e", null).join();

            proxy.restore();
            await().atMost(Duration.ofSeconds(30)).until(() -> inA.reconnects.get() > 0 && a.isConnected());
            assertThat(a.outages()).isEqualTo(1);
            assertThat(a.range("r", missed.epoch(), missed.seq() - 1, missed.seq()).join())
                    .hasValueSatisfying(l -> assertThat(l.getFirst().content()).isEqualTo("while a was away"));
            // Subscribed again: a message published now arrives on a.
            await().atMost(WAIT).untilAsserted(() -> {
                ServerMessage after = b.publishToRoom(draft("r", "after"), "e", null).join();
                await().atMost(Duration.ofSeconds(2)).until(() -> inA.rooms.stream()
                        .anyMatch(m -> m.seq().equals(after.seq())));
            });
        }
    }
}
