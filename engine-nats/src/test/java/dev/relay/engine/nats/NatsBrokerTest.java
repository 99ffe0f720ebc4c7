package dev.relay.engine.nats;

import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.RecordingInbound;
import dev.relay.core.testing.TextCodec;
import dev.relay.engine.redis.RedisBroker;
import dev.relay.engine.redis.RedisOptions;
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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The NATS broker against the real NATS (fan-out) and Redis (streams), under a prefix of its own. */
class NatsBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final String prefix = "relaytest" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final List<NatsBroker> brokers = new ArrayList<>();

    @BeforeEach
    void services() {
        ExternalService.REDIS.assumeAvailable();
        ExternalService.NATS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() {
        brokers.forEach(NatsBroker::close);
        RedisClient client = RedisClient.create(redisUrl());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "*"));
            while (keys.hasNext()) {
                c.sync().del(keys.next());
            }
        } finally {
            client.shutdown();
        }
    }

    private static String redisUrl() {
        return "redis://" + ExternalService.REDIS.host() + ":" + ExternalService.REDIS.port();
    }

    private NatsBroker node(String id, RecordingInbound inbound) {
        RedisBroker streams = new RedisBroker(new RedisOptions(redisUrl(), prefix, id, 1_000, Duration.ofMinutes(1),
                1_000, Duration.ofSeconds(2)), new TextCodec());
        NatsBroker broker = new NatsBroker("nats://" + ExternalService.NATS.host() + ":" + ExternalService.NATS.port(),
                prefix, id, Duration.ofSeconds(2), new TextCodec(), streams);
        brokers.add(broker);
        broker.start(inbound);
        return broker;
    }

    private static ServerMessage draft(String room, String content) {
        return new ServerMessage(UUID.randomUUID().toString(), "room_message", "alice", null, room, content, null,
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    private static ServerMessage pm(String to, String content) {
        return new ServerMessage(UUID.randomUUID().toString(), "private_message", "alice", to, null, content, null,
                Instant.now());
    }

    @Test
    void room_messages_take_one_seq_in_redis_and_reach_every_following_node_including_their_own() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        NatsBroker a = node("a", inA);
        NatsBroker b = node("b", inB);
        a.followRoom("lobby");
        b.followRoom("lobby");
        // A subscription is in place once a probe arrives on the other node.
        await().atMost(WAIT).untilAsserted(() -> {
            ServerMessage probe = a.publishToRoom(draft("lobby", "probe"), "epochN01", null).join();
            await().atMost(Duration.ofMillis(500)).until(() -> inB.rooms.stream()
                    .anyMatch(m -> m.seq().equals(probe.seq())));
        });
        inA.rooms.clear();
        inB.rooms.clear();

        List<CompletableFuture<ServerMessage>> acks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            acks.add((i % 2 == 0 ? a : b).publishToRoom(draft("lobby", "m" + i), "ignored", null));
        }
        List<Long> seqs = acks.stream().map(CompletableFuture::join).map(ServerMessage::seq).sorted().toList();
        assertThat(seqs).doesNotHaveDuplicates().hasSize(100);
        assertThat(seqs.getLast() - seqs.getFirst()).isEqualTo(99);
        await().atMost(WAIT).until(() -> inA.rooms.size() == 100 && inB.rooms.size() == 100);
        assertThat(inA.rooms).extracting(ServerMessage::seq).containsExactlyInAnyOrderElementsOf(seqs);
        assertThat(inB.rooms).extracting(ServerMessage::seq).containsExactlyInAnyOrderElementsOf(seqs);
        assertThat(b.range("lobby", "epochN01", seqs.getFirst() - 1, seqs.getLast()).join())
                .hasValueSatisfying(l -> assertThat(l).hasSize(100));
    }

    @Test
    void a_private_message_is_answered_by_the_nodes_that_have_the_user_and_broadcasts_skip_their_sender() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        NatsBroker a = node("a", inA);
        NatsBroker b = node("b", inB);
        b.followUser("bob");
        await().atMost(WAIT).until(() -> a.publishToUser("bob", pm("bob", "probe")).join() == 1);
        assertThat(a.publishToUser("nobody", pm("nobody", "?")).join()).isZero();
        assertThat(inB.users).anyMatch(m -> "probe".equals(m.content()));
        assertThat(inA.users).isEmpty();

        a.publishToEveryone(pm(null, "all")).join();
        await().atMost(WAIT).until(() -> inB.broadcasts.size() == 1);
        assertThat(inA.broadcasts).isEmpty();
    }

    @Test
    void once_following_a_user_has_completed_a_private_message_from_another_node_reaches_it() {
        RecordingInbound inB = new RecordingInbound();
        NatsBroker a = node("a", new RecordingInbound());
        NatsBroker b = node("b", inB);
        for (int i = 0; i < 20; i++) {
            String user = "follower" + i;
            b.followUser(user).join();
            assertThat(a.publishToUser(user, pm(user, "right away")).join()).as(user).isEqualTo(1L);
        }
        assertThat(b.followUser("follower0")).as("already followed").isCompleted();
        await().atMost(WAIT).until(() -> inB.users.size() == 20);
    }

    @Test
    void user_ids_that_look_like_wildcards_are_one_literal_subject_each() {
        assertThat(NatsBroker.fromToken(NatsBroker.token("a.b*>ü"))).isEqualTo("a.b*>ü");
        assertThat(NatsBroker.token("a.b*>ü")).matches("[A-Za-z0-9_-]+");

        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        NatsBroker a = node("a", inA);
        NatsBroker b = node("b", inB);
        b.followUser(">");
        await().atMost(WAIT).until(() -> a.publishToUser(">", pm(">", "probe")).join() == 1);
        assertThat(a.publishToUser("bob", pm("bob", "not for '>'")).join()).isZero();
        assertThat(inB.users).extracting(ServerMessage::content).doesNotContain("not for '>'");
    }
}
