package dev.relay.engine.redis;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.BrokerContract;
import dev.relay.core.cluster.PresenceStore;
import dev.relay.core.cluster.PresenceStoreContract;
import dev.relay.core.cluster.RoomStreams;
import dev.relay.core.cluster.RoomStreamsContract;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.RecordingInbound;
import dev.relay.core.testing.TextCodec;
import dev.relay.engine.redis.testing.RedisProcesses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker on a real three-master Redis Cluster (started for this class) against the broker contract; and what
 * only a cluster does: rooms spread over the shards, sharded pub/sub, the one-slot scripts, and following a room
 * whose slot moves to another master.
 */
class RedisClusterBrokerTest extends BrokerContract {
    private static RedisProcesses.Cluster cluster;
    private final String prefix = "relay-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";

    @BeforeAll
    static void startCluster() {
        cluster = RedisProcesses.cluster(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Broker newBroker(String nodeId) {
        return new RedisBroker(new RedisOptions(cluster.url(), prefix, nodeId, STREAM_LENGTH, Duration.ofMinutes(1),
                1_000, Duration.ofSeconds(2)), new TextCodec());
    }

    /** The room streams contract on the same cluster: each room's keys on the shard of its slot. */
    @Nested
    class Streams extends RoomStreamsContract {
        @Override
        protected RoomStreams newStreams() {
            return new RedisBroker(new RedisOptions(cluster.url(), prefix, "n", STREAM_LENGTH, Duration.ofMinutes(1),
                    1_000, Duration.ofSeconds(2)), new TextCodec());
        }
    }

    /** Rooms whose keys and channel live on every master of the cluster. */
    private List<String> roomsOnEveryShard() {
        Map<Integer, String> byMaster = new HashMap<>();
        for (int i = 0; byMaster.size() < cluster.ports().size(); i++) {
            String room = "room-" + i;
            byMaster.putIfAbsent(cluster.ownerOf(prefix + "r:{" + room + "}"), room);
        }
        return List.copyOf(byMaster.values());
    }

    @Test
    void rooms_on_every_shard_each_keep_one_seq_and_reach_every_node_in_order() {
        List<String> rooms = roomsOnEveryShard();
        Set<Integer> masters = new HashSet<>();
        rooms.forEach(room -> masters.add(cluster.ownerOf(prefix + "room:{" + room + "}:meta")));
        assertThat(masters).as("the rooms' keys are spread over every master").hasSize(3);

        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        Broker a = node("a", inA);
        Broker b = node("b", inB);
        for (String room : rooms) {
            a.followRoom(room);
            b.followRoom(room);
            following(a, room, inA, inB);
        }
        List<CompletableFuture<ServerMessage>> acks = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String room = rooms.get(i % rooms.size());
            acks.add((i % 2 == 0 ? a : b).publishToRoom(draft(room, "m" + i), "epochAAAA", null));
        }
        for (String room : rooms) {
            List<Long> seqs = acks.stream().map(CompletableFuture::join).filter(m -> m.roomId().equals(room))
                    .map(ServerMessage::seq).sorted().toList();
            assertThat(seqs).hasSize(100).doesNotHaveDuplicates();
            assertThat(seqs.getLast() - seqs.getFirst()).as("one seq per room across both nodes").isEqualTo(99);
        }
        await().atMost(WAIT).until(() -> rooms.stream().allMatch(room ->
                real(inA.rooms, room).size() == 100 && real(inB.rooms, room).size() == 100));
        for (String room : rooms) {
            for (RecordingInbound in : List.of(inA, inB)) {
                assertThat(real(in.rooms, room)).extracting(ServerMessage::seq).isSorted().doesNotHaveDuplicates();
            }
            assertThat(real(inB.rooms, room)).extracting(ServerMessage::content)
                    .isEqualTo(real(inA.rooms, room).stream().map(ServerMessage::content).toList());
        }
    }

    @Test
    void resume_ranges_retries_and_closed_rooms_work_on_the_cluster() {
        Broker a = node("a", new RecordingInbound());
        Broker b = node("b", new RecordingInbound());
        for (String room : roomsOnEveryShard()) {
            List<ServerMessage> placed = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                placed.add((i % 2 == 0 ? a : b).publishToRoom(draft(room, "m" + i), "e1", null).join());
            }
            ServerMessage last = placed.getLast();
            assertThat(b.range(room, last.epoch(), last.seq() - 3, last.seq()).join()).hasValueSatisfying(list ->
                    assertThat(list).extracting(ServerMessage::content).containsExactly("m18", "m19", "m20"));
            assertThat(a.recent(room, 2).join()).extracting(ServerMessage::content).containsExactly("m19", "m20");

            ServerMessage first = a.publishToRoom(draft(room, "once"), "e1", "alice\nroom_message\n" + room + "\nc1")
                    .join();
            ServerMessage retry = b.publishToRoom(draft(room, "once"), "e1", "alice\nroom_message\n" + room + "\nc1")
                    .join();
            assertThat(retry.seq()).as("a retry through the other node").isEqualTo(first.seq());

            assertThat(a.claimRoom(room, "{\"id\":\"" + room + "\"}").join()).isTrue();
            assertThat(b.claimRoom(room, "{\"id\":\"" + room + "\",\"other\":1}").join()).as("taken").isFalse();
            assertThat(b.savedRooms().join()).containsEntry(room, "{\"id\":\"" + room + "\"}");
            assertThat(b.savedRooms().join()).containsKey(room);
            b.deleteRoom(room).join(); // the hash, then the room's meta and stream together (one slot)
            assertThat(a.savedRooms().join()).doesNotContainKey(room);
            assertThat(a.position(room).join()).isEmpty();
        }
    }

    @Test
    void a_private_message_counts_every_node_that_follows_the_user() {
        Broker a = node("a", new RecordingInbound());
        Broker b = node("b", new RecordingInbound());
        a.followUser("bob").join();
        b.followUser("bob").join();
        assertThat(a.publishToUser("bob", pm("bob", "hi")).join()).isEqualTo(2);
    }

    @Test
    void a_room_whose_slot_moves_to_another_master_is_followed_there_and_the_node_told_to_catch_up() {
        RecordingInbound inA = new RecordingInbound();
        RecordingInbound inB = new RecordingInbound();
        Broker a = node("a", inA);
        Broker b = node("b", inB);
        String room = "moving";
        a.followRoom(room);
        b.followRoom(room);
        following(a, room, inA, inB);
        ServerMessage before = a.publishToRoom(draft(room, "before"), "e", null).join();

        String channel = prefix + "r:{" + room + "}";
        int from = cluster.ownerOf(channel);
        int to = cluster.ports().stream().filter(p -> p != from).findFirst().orElseThrow();
        cluster.moveSlot(channel, to);
        assertThat(cluster.ownerOf(prefix + "room:{" + room + "}:stream")).isEqualTo(to);

        // Redis ends the sharded subscriptions of a slot that leaves a master; the nodes subscribe on the new one.
        await().atMost(WAIT).until(() -> inA.reconnects.get() > 0 && inB.reconnects.get() > 0);
        await().atMost(WAIT).untilAsserted(() -> {
            ServerMessage after = b.publishToRoom(draft(room, "after"), "e", null).join();
            await().atMost(Duration.ofSeconds(1)).until(() -> List.of(inA, inB).stream()
                    .allMatch(in -> in.rooms.stream().anyMatch(m -> m.seq().equals(after.seq()))));
        });
        assertThat(a.range(room, before.epoch(), before.seq() - 1, before.seq()).join())
                .as("the stream moved with its slot").hasValueSatisfying(l ->
                        assertThat(l.getFirst().content()).isEqualTo("before"));
        assertThat(a.isConnected()).isTrue();
    }

    /** The presence contract on the same cluster. */
    @Nested
    class Presence extends PresenceStoreContract {
        @Override
        protected PresenceStore newStore(String nodeId) {
            return new RedisPresence(cluster.url(), prefix, nodeId, TTL, clock);
        }

        @Override
        protected void beat(PresenceStore store) {
            ((RedisPresence) store).beatOnce();
        }
    }
}
