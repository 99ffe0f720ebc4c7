package dev.relay.engine.redis;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.RecordingInbound;
import dev.relay.core.testing.TextCodec;
import dev.relay.engine.redis.testing.RedisProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A Redis Cluster master killed for good (three masters with a replica each): the nodes turn unready and refuse the
 * room's messages while its shard has no master; then its replica takes the slots, and the nodes follow the room
 * there, become ready again without the dead master, and are told to catch up.
 */
class RedisClusterFailoverTest {
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @Test
    void when_a_replica_takes_over_a_dead_master_the_nodes_follow_the_room_there_and_are_ready_again() {
        RedisProcesses.Cluster cluster = RedisProcesses.cluster(3, 1);
        closing.add(cluster);
        String prefix = "relay-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        RedisBroker a = node(cluster, prefix, "a", inA);
        RedisBroker b = node(cluster, prefix, "b", inB);
        String room = "lobby";
        a.followRoom(room);
        b.followRoom(room);
        delivered(a, room, inA, inB);

        int owner = cluster.ownerOf(prefix + "r:{" + room + "}");
        long killedAt = System.nanoTime();
        cluster.kill(owner);
        await().atMost(Duration.ofSeconds(10)).until(() -> !a.isConnected() && !b.isConnected());
        // Until the replica takes over (cluster-node-timeout, 2 s, at least) the room's shard has no master.
        assertThatThrownBy(() -> a.publishToRoom(draft(room), "epoch0001", null).join())
                .hasCauseInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e.getCause()).code())
                        .isEqualTo(ErrorCode.BROKER_UNAVAILABLE));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            int now = cluster.ownerOf(prefix + "r:{" + room + "}");
            return now > 0 && now != owner;
        });
        ServerMessage after = delivered(b, room, inA, inB);
        System.out.printf("cluster failover: room delivered on both nodes again %d ms after its master was killed%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
        await().atMost(Duration.ofSeconds(20)).until(() -> a.isConnected() && b.isConnected());
        assertThat(inA.reconnects.get()).as("told to catch up").isPositive();
        assertThat(a.range(room, after.epoch(), after.seq() - 1, after.seq()).join())
                .as("the promoted replica has the stream").isPresent();
    }

    /** Publishes until a message reaches every follower: the first ones may be refused or missed mid-failover. */
    private static ServerMessage delivered(RedisBroker publisher, String room, RecordingInbound... followers) {
        ServerMessage[] last = new ServerMessage[1];
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            ServerMessage placed = publisher.publishToRoom(draft(room), "epoch0001", null).join();
            await().atMost(Duration.ofSeconds(1)).until(() -> List.of(followers).stream()
                    .allMatch(in -> in.rooms.stream().anyMatch(m -> m.seq().equals(placed.seq()))));
            last[0] = placed;
        });
        return last[0];
    }

    private RedisBroker node(RedisProcesses.Cluster cluster, String prefix, String id, RecordingInbound inbound) {
        RedisBroker broker = new RedisBroker(new RedisOptions(cluster.url(), prefix, id, 1_000, Duration.ofMinutes(1),
                1_000, Duration.ofSeconds(2)), new TextCodec());
        closing.add(broker);
        broker.start(inbound);
        return broker;
    }

    private static ServerMessage draft(String room) {
        return new ServerMessage(UUID.randomUUID().toString(), "room_message", "alice", null, room, "m", null,
                Instant.parse("2026-01-01T00:00:00Z"));
    }
}
