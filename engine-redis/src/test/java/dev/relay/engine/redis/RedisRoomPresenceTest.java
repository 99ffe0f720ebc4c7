package dev.relay.engine.redis;

import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.RoomMember;
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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Room presence against the real Redis, two or three instances standing for nodes, each with a real broker that
 * receives what the room's channel carries: a user's arrival and departure are announced once however many nodes
 * they are on, a dead node's users once, and the room size limit counts every node.
 */
class RedisRoomPresenceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    private static final String ROOM = "lobby";
    private final String prefix = "relay-test-" + UUID.randomUUID() + ":";
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
        RedisClient client = RedisClient.create(url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "*").limit(500));
            while (keys.hasNext()) {
                c.sync().del(keys.next());
            }
        } finally {
            client.shutdown();
        }
    }

    private static String url() {
        return "redis://" + ExternalService.REDIS.host() + ":" + ExternalService.REDIS.port();
    }

    /** A node: its broker's inbound records the room events, its rooms are what the test says it has. */
    private final class Node {
        final RecordingInbound inbound = new RecordingInbound();
        final Map<String, RoomMember> here = new ConcurrentHashMap<>();
        final RedisBroker broker;
        final RedisRoomPresence presence;

        Node(String id, int maxRoomUsers, boolean publishInScript) {
            this(id, maxRoomUsers, publishInScript, url());
        }

        /** @param presenceUrl where the room presence finds Redis (a proxy the test can cut) */
        Node(String id, int maxRoomUsers, boolean publishInScript, String presenceUrl) {
            broker = new RedisBroker(new RedisOptions(url(), prefix, id, 100, Duration.ofMinutes(1), 1_000,
                    Duration.ofSeconds(2)), new TextCodec());
            opened.add(broker);
            broker.start(inbound);
            broker.followRoom(ROOM);
            presence = new RedisRoomPresence(presenceUrl, prefix, id, new TextCodec(), broker, publishInScript);
            opened.add(presence);
            presence.start(new RoomPresence.LocalRooms() {
                @Override
                public Collection<String> roomIds() {
                    return List.of(ROOM);
                }

                @Override
                public List<RoomMember> membersHere(String roomId) {
                    return List.copyOf(here.values());
                }

                @Override
                public int maxRoomUsers() {
                    return maxRoomUsers;
                }

                @Override
                public ServerMessage arrival(String roomId, String userId, String name) {
                    return event("user_joined", userId);
                }

                @Override
                public ServerMessage departure(String roomId, String userId, String name) {
                    return event("user_left", userId);
                }

                @Override
                public ServerMessage offline(String roomId, String userId) {
                    return event("presence", userId);
                }
            });
        }

        /** The user now has {@code connections} here, as the hub would share it. */
        void connections(String userId, int connections) {
            RoomMember before = here.get(userId);
            if (connections == 0) {
                here.remove(userId);
            } else {
                here.put(userId, new RoomMember(userId, "Name " + userId, connections, AT));
            }
            ServerMessage announcement = connections == 1 && before == null ? event("user_joined", userId)
                    : connections == 0 ? event("user_left", userId) : null;
            presence.share(new RoomPresence.Share(ROOM, userId, "Name " + userId, connections, AT, announcement));
            settled();
        }

        void status(String userId, String status) {
            presence.status(ROOM, userId, status, event("presence", userId + " " + status));
            settled();
        }

        /** The steps of a test happen one after the other across nodes, as the changes of real users would. */
        void settled() {
            await().atMost(WAIT).until(() -> presence.pending() == 0);
        }

        /** The events about the room so far, as "type user". */
        List<String> events() {
            return inbound.roomEvents.stream().map(e -> e.type() + " " + e.content()).toList();
        }
    }

    private static ServerMessage event(String type, String userId) {
        return new ServerMessage(null, type, null, null, ROOM, userId, null, AT);
    }

    private Node node(String id) {
        return new Node(id, 0, true);
    }

    private void subscribed(Node... nodes) {
        String channel = new Keys(prefix).roomChannel(ROOM);
        RedisClient client = RedisClient.create(url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            await().atMost(WAIT).until(() -> c.sync().pubsubNumsub(channel).get(channel) >= nodes.length);
        } finally {
            client.shutdown();
        }
    }

    /** Waits until every node has seen {@code expected} (and then for a marker, so a late duplicate shows too). */
    private static void seenEverywhere(List<String> expected, Node... nodes) {
        ServerMessage marker = event("marker", UUID.randomUUID().toString());
        nodes[0].broker.publishRoomEvent(marker).join();
        String last = "marker " + marker.content();
        for (Node node : nodes) {
            await().atMost(WAIT).until(() -> node.events().contains(last));
            List<String> events = new ArrayList<>(node.events().stream().filter(e -> !e.startsWith("marker")).toList());
            assertThat(events).as("events on a node").isEqualTo(expected);
        }
    }

    @Test
    void a_user_on_two_nodes_arrives_once_and_leaves_once_whatever_the_order() {
        Node a = node("a");
        Node b = node("b");
        subscribed(a, b);

        a.connections("dave", 1);
        b.connections("dave", 1);
        a.connections("dave", 2);
        a.connections("dave", 0);
        seenEverywhere(List.of("user_joined dave"), a, b);
        b.connections("dave", 0);
        seenEverywhere(List.of("user_joined dave", "user_left dave"), a, b);
    }

    @Test
    void members_and_counts_add_up_the_nodes() {
        Node a = node("a");
        Node b = node("b");
        a.connections("dave", 2);
        b.connections("dave", 1);
        b.connections("erin", 1);
        await().atMost(WAIT).untilAsserted(() -> {
            List<RoomPresence.Member> members = a.presence.members(ROOM).join();
            assertThat(members).extracting(RoomPresence.Member::userId, RoomPresence.Member::connections)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("dave", 3),
                            org.assertj.core.groups.Tuple.tuple("erin", 1));
            assertThat(b.presence.counts(List.of(ROOM, "empty")).join())
                    .containsEntry(ROOM, new RoomPresence.Counts(2, 4))
                    .containsEntry("empty", new RoomPresence.Counts(0, 0));
        });
        a.connections("dave", 0);
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.presence.counts(List.of(ROOM)).join())
                .containsEntry(ROOM, new RoomPresence.Counts(2, 2)));
    }

    @Test
    void a_dead_nodes_users_are_taken_out_by_the_survivors_and_announced_once() {
        Node a = node("a");
        Node b = node("b");
        Node c = node("c");
        subscribed(a, b, c);
        a.connections("dave", 1);
        a.connections("erin", 1);
        b.connections("erin", 1);
        seenEverywhere(List.of("user_joined dave", "user_joined erin"), b, c);

        // Node a stops answering; both survivors notice at once.
        b.presence.reap("a").join();
        c.presence.reap("a").join();
        seenEverywhere(List.of("user_joined dave", "user_joined erin", "user_left dave", "presence dave"), b, c);
        assertThat(c.presence.members(ROOM).join()).extracting(RoomPresence.Member::userId).containsExactly("erin");
        assertThat(c.presence.counts(List.of(ROOM)).join()).containsEntry(ROOM, new RoomPresence.Counts(1, 1));
    }

    @Test
    void a_node_that_starts_again_under_its_id_clears_what_its_earlier_run_left() {
        Node a = node("a");
        Node b = node("b");
        subscribed(a, b);
        a.connections("dave", 1);
        seenEverywhere(List.of("user_joined dave"), b);
        Node again = node("a"); // the same id, nobody here yet: dave's entry goes
        seenEverywhere(List.of("user_joined dave", "user_left dave"), b);
        assertThat(again.presence.counts(List.of(ROOM)).join()).containsEntry(ROOM, new RoomPresence.Counts(0, 0));
    }

    @Test
    void the_room_size_limit_counts_every_node_on_both_sides() {
        Node a = new Node("a", 2, true);
        Node b = new Node("b", 2, true);
        subscribed(a, b);
        a.connections("u1", 1);
        b.connections("u2", 1); // 2 users: at the limit, announced
        b.connections("u3", 1); // 3: past it, not
        b.connections("u3", 0); // its departure neither
        b.connections("u2", 0); // 2 counting u2: announced
        seenEverywhere(List.of("user_joined u1", "user_joined u2", "user_left u2"), a, b);
    }

    @Test
    void with_another_fan_out_the_script_decides_and_the_broker_publishes() {
        Node a = new Node("a", 0, false);
        Node b = new Node("b", 0, false);
        subscribed(a, b);
        a.connections("dave", 1);
        b.connections("dave", 1);
        seenEverywhere(List.of("user_joined dave"), a, b);
        a.connections("dave", 0);
        b.connections("dave", 0);
        seenEverywhere(List.of("user_joined dave", "user_left dave"), a, b);
    }

    @Test
    void a_status_is_announced_once_per_change_and_offline_only_after_the_last_departure() {
        Node a = node("a");
        Node b = node("b");
        subscribed(a, b);
        a.connections("dave", 1);
        b.connections("dave", 1);
        // Both nodes report dave's new status; the room hears it once.
        a.status("dave", "busy");
        b.status("dave", "busy");
        a.connections("dave", 0);
        a.status("dave", "offline"); // still on b: not said
        b.connections("dave", 0);
        b.status("dave", "offline");
        a.status("dave", "offline"); // said already
        seenEverywhere(List.of("user_joined dave", "presence dave busy", "user_left dave", "presence dave offline"),
                a, b);
    }

    @Test
    void a_change_redis_did_not_take_is_put_back_and_announced_once_it_answers_again() throws Exception {
        TcpProxy proxy = TcpProxy.to(ExternalService.REDIS);
        opened.add(proxy);
        Node a = new Node("a", 0, true, "redis://127.0.0.1:" + proxy.port());
        Node b = node("b");
        subscribed(a, b);
        proxy.cut();
        a.connections("dave", 1); // lost: the node marks its share stale
        assertThat(b.presence.counts(List.of(ROOM)).join()).containsEntry(ROOM, new RoomPresence.Counts(0, 0));
        proxy.restore();
        await().atMost(WAIT).untilAsserted(() -> {
            a.presence.checkStale(); // what the heartbeat does
            assertThat(b.presence.counts(List.of(ROOM)).join()).containsEntry(ROOM, new RoomPresence.Counts(1, 1));
        });
        seenEverywhere(List.of("user_joined dave"), a, b);
    }

    @Test
    void a_node_taken_for_dead_while_alive_puts_its_users_back() {
        Node a = node("a");
        Node b = node("b");
        subscribed(a, b);
        a.connections("dave", 1);
        b.presence.reap("a").join(); // a paused longer than the TTL
        a.presence.markStale(); // its next beat finds itself added to the live nodes again
        a.presence.checkStale();
        a.settled();
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.presence.members(ROOM).join())
                .extracting(RoomPresence.Member::userId).containsExactly("dave"));
        seenEverywhere(List.of("user_joined dave", "user_left dave", "presence dave", "user_joined dave"), a, b);
    }
}
