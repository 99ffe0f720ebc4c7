package dev.relay.core.cluster;

import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.RoomMember;
import dev.relay.core.testing.RecordingInbound;
import org.junit.jupiter.api.AfterEach;
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
 * What every {@link RoomPresence} does for the rooms of a cluster: several nodes of one test, each a presence with a
 * real broker whose inbound records the room's events. A user's arrival and departure are announced once however
 * many nodes they are on, a dead node's users once however many survivors take them out, a node started again under
 * its id clears what its earlier run left, the room size limit counts every node, and a status once per change.
 * Each engine's test extends this, once per way it sends the events.
 */
public abstract class RoomPresenceContract {
    protected static final Duration WAIT = Duration.ofSeconds(10);
    protected static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    protected static final String ROOM = "lobby";
    private static final String MARKER = "marker";
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** A broker for node {@code nodeId} of this test's cluster, not started. */
    protected abstract Broker newBroker(String nodeId);

    /** The room presence of node {@code nodeId} in the same cluster, announcing through {@code broker}; not started. */
    protected abstract RoomPresence newPresence(String nodeId, Broker broker);

    /** Waits until every change {@code presence} has queued has reached its store. */
    protected abstract void settle(RoomPresence presence);

    /** What a survivor does once {@code deadNodeId}'s heartbeat is older than the TTL: take its users out. */
    protected abstract void reap(RoomPresence survivor, String deadNodeId);

    @AfterEach
    void closeNodes() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    /** Closed after the test, after the nodes opened before it. */
    protected <T extends AutoCloseable> T closeAfter(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    /** A node: its broker's inbound records the room events, its rooms are what the test says it has. */
    protected final class Node {
        public final RecordingInbound inbound = new RecordingInbound();
        public final Map<String, RoomMember> here = new ConcurrentHashMap<>();
        /** The cluster-wide occupancy transitions the engine told this node of, in order. */
        public final List<String> occupancy = new java.util.concurrent.CopyOnWriteArrayList<>();
        public final Broker broker;
        public final RoomPresence presence;

        public Node(String id, int maxRoomUsers) {
            this(id, maxRoomUsers, newBroker(id));
        }

        public Node(String id, int maxRoomUsers, Broker broker) {
            this.broker = closeAfter(broker);
            broker.start(inbound);
            broker.followRoom(ROOM);
            presence = closeAfter(newPresence(id, broker));
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

                @Override
                public void occupancy(String roomId, boolean occupied) {
                    occupancy.add((occupied ? "occupied " : "vacated ") + roomId);
                }
            });
        }

        /** The user now has {@code connections} here, as the hub would share it. */
        public void connections(String userId, int connections) {
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

        public void status(String userId, String status) {
            presence.status(ROOM, userId, status, event("presence", userId + " " + status));
            settled();
        }

        /** The steps of a test happen one after the other across nodes, as the changes of real users would. */
        public void settled() {
            settle(presence);
        }

        /** The events about the room so far, as "type user", markers left out. */
        public List<String> events() {
            return inbound.roomEvents.stream().map(e -> e.type() + " " + e.content())
                    .filter(e -> !e.startsWith(MARKER)).toList();
        }

        private boolean sawMarker(String id) {
            return inbound.roomEvents.stream().anyMatch(e -> e.type().equals(MARKER) && e.content().equals(id));
        }
    }

    protected static ServerMessage event(String type, String userId) {
        return new ServerMessage(null, type, null, null, ROOM, userId, null, AT);
    }

    protected Node node(String id) {
        return new Node(id, 0);
    }

    /** Sends markers until every node has one: each node's broker hears the room. */
    protected static void following(Node... nodes) {
        await().atMost(WAIT).untilAsserted(() -> {
            String id = UUID.randomUUID().toString();
            nodes[0].broker.publishRoomEvent(event(MARKER, id)).join();
            await().atMost(Duration.ofSeconds(1)).until(() -> List.of(nodes).stream().allMatch(n -> n.sawMarker(id)));
        });
    }

    /** Waits until every node has seen {@code expected} (and then a marker, so a late duplicate shows too). */
    protected static void seenEverywhere(List<String> expected, Node... nodes) {
        String id = UUID.randomUUID().toString();
        nodes[0].broker.publishRoomEvent(event(MARKER, id)).join();
        for (Node node : nodes) {
            await().atMost(WAIT).until(() -> node.sawMarker(id));
            assertThat(node.events()).as("events on a node").isEqualTo(expected);
        }
    }

    @Test
    void a_user_on_two_nodes_arrives_once_and_leaves_once_whatever_the_order() {
        Node a = node("a");
        Node b = node("b");
        following(a, b);

        a.connections("dave", 1);
        b.connections("dave", 1);
        a.connections("dave", 2);
        a.connections("dave", 0);
        seenEverywhere(List.of("user_joined dave"), a, b);
        b.connections("dave", 0);
        seenEverywhere(List.of("user_joined dave", "user_left dave"), a, b);
    }

    @Test
    void a_room_is_occupied_once_and_vacated_once_told_to_the_node_whose_change_it_was() {
        Node a = node("a");
        Node b = node("b");
        a.connections("dave", 1);
        b.connections("erin", 1);
        b.connections("dave", 1);
        a.connections("dave", 0);
        b.connections("dave", 0);
        assertThat(a.occupancy).as("a's dave was the room's first user").containsExactly("occupied " + ROOM);
        assertThat(b.occupancy).as("erin still in it").isEmpty();
        b.connections("erin", 0);
        assertThat(b.occupancy).as("erin was its last").containsExactly("vacated " + ROOM);
        assertThat(a.occupancy).hasSize(1);
    }

    @Test
    void a_dead_nodes_last_users_vacate_the_room_once_told_to_the_survivor_that_took_them_out() {
        Node a = node("a");
        Node b = node("b");
        Node c = node("c");
        a.connections("dave", 1);
        reap(b.presence, "a");
        reap(c.presence, "a");
        await().atMost(WAIT).untilAsserted(() -> assertThat(List.of(b.occupancy, c.occupancy))
                .as("once, by one of the survivors").containsExactlyInAnyOrder(List.of("vacated " + ROOM), List.of()));
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
            assertThat(members).filteredOn(m -> m.userId().equals("dave")).extracting(RoomPresence.Member::joinedAt)
                    .containsExactly(AT);
            Map<String, RoomPresence.Counts> counts = b.presence.counts(List.of(ROOM, "empty")).join();
            assertThat(counts).containsEntry(ROOM, new RoomPresence.Counts(2, 4));
            assertThat(counts.getOrDefault("empty", new RoomPresence.Counts(0, 0))).as("nobody in it")
                    .isEqualTo(new RoomPresence.Counts(0, 0));
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
        following(a, b, c);
        a.connections("dave", 1);
        a.connections("erin", 1);
        b.connections("erin", 1);
        seenEverywhere(List.of("user_joined dave", "user_joined erin"), b, c);

        // Node a stops answering; both survivors notice at once.
        reap(b.presence, "a");
        reap(c.presence, "a");
        seenEverywhere(List.of("user_joined dave", "user_joined erin", "user_left dave", "presence dave"), b, c);
        assertThat(c.presence.members(ROOM).join()).extracting(RoomPresence.Member::userId).containsExactly("erin");
        assertThat(c.presence.counts(List.of(ROOM)).join()).containsEntry(ROOM, new RoomPresence.Counts(1, 1));
    }

    @Test
    void a_node_that_starts_again_under_its_id_clears_what_its_earlier_run_left() {
        Node a = node("a");
        Node b = node("b");
        following(a, b);
        a.connections("dave", 1);
        seenEverywhere(List.of("user_joined dave"), b);
        Node again = node("a"); // the same id, nobody here yet: dave's entry goes
        seenEverywhere(List.of("user_joined dave", "user_left dave"), b);
        assertThat(again.presence.members(ROOM).join()).isEmpty();
    }

    @Test
    void the_room_size_limit_counts_every_node_on_both_sides() {
        Node a = new Node("a", 2);
        Node b = new Node("b", 2);
        following(a, b);
        a.connections("u1", 1);
        b.connections("u2", 1); // 2 users: at the limit, announced
        b.connections("u3", 1); // 3: past it, not
        b.connections("u3", 0); // its departure neither
        b.connections("u2", 0); // 2 counting u2: announced
        seenEverywhere(List.of("user_joined u1", "user_joined u2", "user_left u2"), a, b);
    }

    @Test
    void a_status_is_announced_once_per_change_and_offline_only_after_the_last_departure() {
        Node a = node("a");
        Node b = node("b");
        following(a, b);
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
        assertThat(a.presence.members(ROOM).join()).isEmpty();
    }

    @Test
    void a_closed_room_is_forgotten_without_a_word() {
        Node a = node("a");
        Node b = node("b");
        following(a, b);
        a.connections("dave", 1);
        b.connections("erin", 1);
        seenEverywhere(List.of("user_joined dave", "user_joined erin"), a, b);
        a.presence.forget(ROOM); // every node has every room, so every node forgets it
        b.presence.forget(ROOM);
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.presence.members(ROOM).join()).isEmpty());
        seenEverywhere(List.of("user_joined dave", "user_joined erin"), a, b);
    }
}
