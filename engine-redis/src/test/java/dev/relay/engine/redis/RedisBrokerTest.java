package dev.relay.engine.redis;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.RecordingInbound;
import dev.relay.core.testing.TcpProxy;
import dev.relay.core.testing.TextCodec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Redis broker against the real Redis, two or three brokers standing for nodes, under a key prefix of its own. */
class RedisBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final String prefix = "relay-test-" + UUID.randomUUID() + ":";
    private final List<RedisBroker> brokers = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() {
        brokers.forEach(RedisBroker::close);
        RedisClient client = RedisClient.create(url(ExternalService.REDIS.port()));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "*").limit(500));
            while (keys.hasNext()) {
                c.sync().del(keys.next());
            }
        } finally {
            client.shutdown();
        }
    }

    private static String url(int port) {
        return "redis://" + ExternalService.REDIS.host() + ":" + port;
    }

    private RedisBroker node(String id, RecordingInbound inbound) {
        return node(id, inbound, ExternalService.REDIS.port(), 1_000);
    }

    private RedisBroker node(String id, RecordingInbound inbound, int port, int streamLength) {
        RedisBroker broker = new RedisBroker(new RedisOptions(url(port), prefix, id, streamLength,
                Duration.ofMinutes(1), 1_000, Duration.ofSeconds(2)), new TextCodec());
        brokers.add(broker);
        broker.start(inbound);
        return broker;
    }

    private static ServerMessage draft(String room, String content) {
        return new ServerMessage(UUID.randomUUID().toString(), "room_message", "alice", null, room, content, null,
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    private void subscribed(RedisBroker publisher, String room, RecordingInbound... followers) {
        String channel = prefix + "r:{" + room + "}";
        RedisClient client = RedisClient.create(url(ExternalService.REDIS.port()));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            await().atMost(WAIT).until(() -> c.sync().pubsubNumsub(channel).get(channel) >= followers.length);
        } finally {
            client.shutdown();
        }
        ServerMessage probe = publisher.publishToRoom(draft(room, "probe"), "epoch0001", null).join();
        await().atMost(WAIT).until(() -> List.of(followers).stream()
                .allMatch(r -> r.rooms.stream().anyMatch(m -> m.seq().equals(probe.seq()))));
    }

    @Test
    void room_messages_from_two_nodes_share_one_stream_and_arrive_everywhere_in_seq_order() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        RedisBroker a = node("a", inA);
        RedisBroker b = node("b", inB);
        a.followRoom("lobby");
        b.followRoom("lobby");
        subscribed(a, "lobby", inA, inB);

        List<CompletableFuture<ServerMessage>> acks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            acks.add((i % 2 == 0 ? a : b).publishToRoom(draft("lobby", "m" + i), "epochAAAA", null));
        }
        List<Long> seqs = acks.stream().map(CompletableFuture::join).map(ServerMessage::seq).sorted().toList();
        assertThat(seqs).doesNotHaveDuplicates().hasSize(200).startsWith(2L).endsWith(201L);
        assertThat(acks.getFirst().join().epoch()).isEqualTo("epoch0001"); // the stream's first epoch stays

        await().atMost(WAIT).until(() -> inA.rooms.size() == 201 && inB.rooms.size() == 201);
        for (RecordingInbound in : List.of(inA, inB)) {
            assertThat(in.rooms).extracting(ServerMessage::seq).isSorted().doesNotHaveDuplicates();
            assertThat(in.rooms.getLast().content()).isNotNull();
        }
        assertThat(b.position("lobby").join()).contains(new StreamPosition("epoch0001", 201));
    }

    @Test
    void messages_published_while_a_placement_is_in_flight_share_script_calls_and_keep_their_order() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        RedisBroker a = node("a", inA);
        RedisBroker b = node("b", inB);
        a.followRoom("busy");
        b.followRoom("busy");
        subscribed(a, "busy", inA, inB);
        RedisClient client = RedisClient.create(url(ExternalService.REDIS.port()));
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
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(2, 601).boxed().toList());
            await().atMost(WAIT).until(() -> inB.rooms.size() == 601 && payloads.size() > 0);
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
        RedisBroker a = node("a", inA);
        a.followRoom("r");
        subscribed(a, "r", inA);
        List<CompletableFuture<ServerMessage>> burst = new ArrayList<>();
        for (int i = 0; i < 50; i++) { // the first goes alone; the rest wait for it and go as one call
            burst.add(a.publishToRoom(draft("r", "filler" + i), "e", null));
        }
        CompletableFuture<ServerMessage> first = a.publishToRoom(draft("r", "once"), "e", "alice\nroom_message\nr\nnull\nb-1");
        CompletableFuture<ServerMessage> retry = a.publishToRoom(draft("r", "once"), "e", "alice\nroom_message\nr\nnull\nb-1");
        burst.forEach(CompletableFuture::join);
        assertThat(retry.join().seq()).isEqualTo(first.join().seq());
        assertThat(retry.join().id()).isEqualTo(first.join().id());
        await().atMost(WAIT).until(() -> inA.rooms.size() == 52);
        assertThat(inA.rooms).extracting(ServerMessage::content).filteredOn("once"::equals).hasSize(1);
        assertThat(a.position("r").join()).hasValueSatisfying(p -> assertThat(p.seq()).isEqualTo(52));
    }

    @Test
    void a_room_nobody_follows_on_a_node_is_not_delivered_there() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        RedisBroker a = node("a", inA);
        node("b", inB);
        a.followRoom("only-a");
        subscribed(a, "only-a", inA);
        a.publishToRoom(draft("only-a", "x"), "e", null).join();
        await().atMost(WAIT).until(() -> inA.rooms.size() == 2);
        assertThat(inB.rooms).isEmpty();
    }

    @Test
    void range_and_recent_read_the_shared_stream_exactly_or_not_at_all() {
        RedisBroker a = node("a", new RecordingInbound(), ExternalService.REDIS.port(), 10);
        for (int i = 1; i <= 300; i++) {
            a.publishToRoom(draft("r", "m" + i), "e1", null).join();
        }
        assertThat(a.range("r", "e1", 295, 300).join()).hasValueSatisfying(list ->
                assertThat(list).extracting(ServerMessage::content).containsExactly("m296", "m297", "m298", "m299",
                        "m300"));
        assertThat(a.range("r", "e1", 300, 300).join()).contains(List.of());
        assertThat(a.range("r", "e1", 1, 300).join()).as("trimmed away: no partial range").isEmpty();
        assertThat(a.range("r", "other", 295, 300).join()).as("another epoch").isEmpty();
        assertThat(a.recent("r", 3).join()).extracting(ServerMessage::seq).containsExactly(298L, 299L, 300L);
        assertThat(a.position("nothing-yet").join()).isEmpty();
        assertThat(a.recent("nothing-yet", 5).join()).isEmpty();
    }

    @Test
    void a_retry_through_any_node_gets_the_first_placement_and_is_published_once() {
        RecordingInbound inA = new RecordingInbound();
        RedisBroker a = node("a", inA);
        RedisBroker b = node("b", new RecordingInbound());
        a.followRoom("r");
        subscribed(a, "r", inA);
        ServerMessage first = a.publishToRoom(draft("r", "once"), "e", "alice\nroom_message\nr\nnull\nc-1").join();
        ServerMessage retry = b.publishToRoom(draft("r", "once"), "e", "alice\nroom_message\nr\nnull\nc-1").join();
        ServerMessage other = b.publishToRoom(draft("r", "twice"), "e", "alice\nroom_message\nr\nnull\nc-2").join();

        assertThat(retry.seq()).isEqualTo(first.seq());
        assertThat(retry.id()).isEqualTo(first.id());
        assertThat(retry.timestamp()).isEqualTo(first.timestamp());
        assertThat(other.seq()).isEqualTo(first.seq() + 1);
        await().atMost(WAIT).until(() -> inA.rooms.size() == 3);
        assertThat(inA.rooms).extracting(ServerMessage::content).containsExactly("probe", "once", "twice");
    }

    @Test
    void private_messages_reach_the_nodes_that_follow_the_user_and_never_echo_back() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        RecordingInbound inC = new RecordingInbound();
        RedisBroker a = node("a", inA);
        RedisBroker b = node("b", inB);
        node("c", inC);
        a.followUser("bob"); // a node's own publishes never come back to it
        b.followUser("bob");
        await().atMost(WAIT).until(() -> a.publishToUser("bob", pm("probe")).join() == 2);

        assertThat(a.publishToUser("bob", pm("hi")).join()).isEqualTo(2);
        assertThat(a.publishToUser("nobody", pm("lost")).join()).isZero();
        await().atMost(WAIT).until(() -> inB.users.stream().anyMatch(m -> "hi".equals(m.content())));
        assertThat(inA.users).isEmpty();
        assertThat(inC.users).isEmpty();

        b.unfollowUser("bob");
        await().atMost(WAIT).until(() -> a.publishToUser("bob", pm("probe")).join() == 1);
    }

    @Test
    void broadcasts_reach_every_other_node() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        RecordingInbound inC = new RecordingInbound();
        RedisBroker a = node("a", inA);
        node("b", inB);
        node("c", inC);
        a.publishToEveryone(pm("all")).join();
        await().atMost(WAIT).until(() -> inB.broadcasts.size() == 1 && inC.broadcasts.size() == 1);
        assertThat(inA.broadcasts).isEmpty();
    }

    @Test
    void too_many_publishes_in_flight_are_refused_as_overloaded_not_queued() {
        RedisBroker a = new RedisBroker(new RedisOptions(url(ExternalService.REDIS.port()), prefix, "a", 100,
                Duration.ZERO, 2, Duration.ofSeconds(2)), new TextCodec());
        brokers.add(a);
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
            RedisBroker a = node("a", inA, proxy.port(), 1_000);
            RedisBroker b = node("b", inB);
            a.followRoom("r");
            b.followRoom("r");
            subscribed(b, "r", inA, inB);

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

    private static ServerMessage pm(String content) {
        return new ServerMessage(UUID.randomUUID().toString(), "private_message", "alice", "bob", null, content, null,
                Instant.now());
    }
}
