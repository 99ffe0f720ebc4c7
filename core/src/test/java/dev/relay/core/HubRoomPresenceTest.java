package dev.relay.core;

import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.RoomInfo;
import dev.relay.core.room.RoomSpec;
import dev.relay.core.session.UserStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hub's side of cluster-wide room presence: every change of a user's connections in a room on this node is
 * shared with its count, the arrival attached to the first connection here and the departure to the last, offline
 * offered once the user is gone from this node; the hub announces none of it itself (the cluster does, once). Reads
 * report what the cluster answers. (The deciding, once across nodes, is tested against Redis in engine-redis.)
 */
class HubRoomPresenceTest extends HubTestSupport {
    /** Records what the hub hands over; answers reads with what the test set. */
    private static final class RecordingPresence implements RoomPresence {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile CompletableFuture<List<Member>> members = new CompletableFuture<>();
        volatile CompletableFuture<Map<String, Counts>> counts = new CompletableFuture<>();
        volatile LocalRooms local;

        @Override
        public void start(LocalRooms local) {
            this.local = local;
        }

        @Override
        public void share(Share share) {
            calls.add("share " + share.roomId() + " " + share.userId() + " " + share.connections()
                    + (share.announcement() == null ? "" : " " + share.announcement().type()));
        }

        @Override
        public void status(String roomId, String userId, String status, ServerMessage event) {
            calls.add("status " + roomId + " " + userId + " " + status + " " + event.type());
        }

        @Override
        public CompletableFuture<List<Member>> members(String roomId) {
            return members;
        }

        @Override
        public CompletableFuture<Map<String, Counts>> counts(Collection<String> roomIds) {
            return counts;
        }

        @Override
        public void forget(String roomId) {
            calls.add("forget " + roomId);
        }

        @Override
        public void close() {
        }
    }

    private RecordingPresence installed() {
        RecordingPresence presence = new RecordingPresence();
        build(b -> b.roomPresence(presence));
        return presence;
    }

    @Test
    void every_change_is_shared_with_the_count_here_and_the_arrival_and_departure_on_the_first_and_last() {
        RecordingPresence presence = installed();
        Client alice = connect(loop1, "alice", "general");
        Client alicePhone = connect(loop2, "alice", "general");
        Client bob = connect(loop3, "bob", "general");
        alicePhone.disconnect();
        alice.send(leaveRoom("l1", "general"));
        syncAll();

        assertThat(presence.calls).containsExactly(
                "share general alice 1 user_joined",
                "share general alice 2",
                "share general bob 1 user_joined",
                "share general alice 1",
                "share general alice 0 user_left");
        assertThat(bob.messages(MessageType.USER_JOINED)).as("the cluster announces, not this hub").isEmpty();
        assertThat(bob.messages(MessageType.USER_LEFT)).isEmpty();
    }

    @Test
    void a_users_last_connection_offers_offline_to_its_rooms_after_leaving_them() {
        RecordingPresence presence = installed();
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom("j1", "support"));
        presence.calls.clear();
        alice.disconnect();
        syncAll();

        assertThat(presence.calls).containsExactlyInAnyOrder(
                "share general alice 0 user_left", "share support alice 0 user_left",
                "status general alice offline presence", "status support alice offline presence");
        assertThat(presence.calls.subList(2, 4)).as("offline after both departures")
                .allMatch(call -> call.startsWith("status"));
    }

    @Test
    void a_chosen_status_goes_to_the_cluster_for_each_room_of_the_user() {
        RecordingPresence presence = installed();
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        presence.calls.clear();
        alice.send(status("s1", "busy"));
        syncAll();
        assertThat(presence.calls).containsExactly("status general alice busy presence");
        assertThat(bob.messages(MessageType.PRESENCE)).isEmpty();
    }

    @Test
    void closing_a_room_shares_no_departure_and_forgets_the_room() {
        RecordingPresence presence = installed();
        Identity admin = new Identity("root", "Root", Set.of(Identity.ADMIN_ROLE));
        hub().admin().createRoom(admin, new RoomSpec("ops", "Ops", ""));
        Client alice = connect(loop1, "alice", "ops");
        presence.calls.clear();
        hub().admin().closeRoom(admin, "ops").join();
        syncAll();
        assertThat(alice.messages(MessageType.ROOM_CLOSED)).hasSize(1);
        assertThat(presence.calls).containsExactly("forget ops");
    }

    @Test
    void without_a_cluster_presence_nothing_is_shared_and_the_room_hears_it_here() {
        Client bob = connect(loop1, "bob", "general");
        connect(loop2, "alice", "general");
        syncAll();
        assertThat(bob.messages(MessageType.USER_JOINED)).extracting(m -> data(m).get("user_id")).contains("alice");
        assertThat(hub().queries().clusterMembers("general").join()).extracting(info -> info.member().userId())
                .containsExactlyInAnyOrder("bob", "alice");
    }

    @Test
    void members_and_room_counts_are_the_clusters_with_this_nodes_status_for_its_own_users() {
        RecordingPresence presence = installed();
        Client alice = connect(loop1, "alice", "general");
        alice.send(status("s1", "busy"));
        syncAll();
        CompletableFuture<List<Hub.MemberInfo>> members = hub().queries().clusterMembers("general");
        CompletableFuture<List<RoomInfo>> rooms = hub().queries().clusterRoomInfos();
        presence.members.complete(List.of(
                new RoomPresence.Member("zed", "Zed", 2, START.minusSeconds(5), "away"),
                new RoomPresence.Member("alice", "Alice", 3, START, "online")));
        presence.counts.complete(Map.of("general", new RoomPresence.Counts(2, 5)));

        assertThat(members.join()).extracting(info -> info.member().userId(), info -> info.member().connections(),
                        Hub.MemberInfo::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("zed", 2, UserStatus.AWAY),
                        org.assertj.core.groups.Tuple.tuple("alice", 3, UserStatus.BUSY));
        assertThat(rooms.join()).filteredOn(room -> room.id().equals("general")).singleElement()
                .satisfies(room -> {
                    assertThat(room.clientCount()).isEqualTo(5);
                    assertThat(room.userCount()).isEqualTo(2);
                });
        assertThat(rooms.join()).filteredOn(room -> room.id().equals("support")).singleElement()
                .satisfies(room -> assertThat(room.clientCount()).as("nobody, anywhere").isZero());
    }

    @Test
    void members_fall_back_to_this_node_while_the_cluster_cannot_be_read() {
        RecordingPresence presence = installed();
        connect(loop1, "alice", "general");
        presence.members.completeExceptionally(new IllegalStateException("Redis is away"));
        presence.counts.completeExceptionally(new IllegalStateException("Redis is away"));
        assertThat(hub().queries().clusterMembers("general").join()).extracting(info -> info.member().userId())
                .containsExactly("alice");
        assertThat(hub().queries().clusterRoomInfos().join()).filteredOn(room -> room.id().equals("general")).singleElement()
                .satisfies(room -> assertThat(room.clientCount()).isEqualTo(1));
    }

    @Test
    void the_engine_gets_the_events_it_needs_for_a_dead_nodes_users_and_this_nodes_members() {
        RecordingPresence presence = installed();
        connect(loop1, "alice", "general");
        syncAll();
        assertThat(presence.local.roomIds()).contains("general", "support");
        assertThat(presence.local.membersHere("general")).extracting(m -> m.userId()).containsExactly("alice");
        assertThat(presence.local.departure("general", "dora", "Dora").type()).isEqualTo(MessageType.USER_LEFT);
        assertThat(data(presence.local.offline("general", "dora"))).containsEntry("status", "offline");
        assertThat(presence.local.maxRoomUsers()).isEqualTo(HubSettings.defaults().presenceMaxRoomUsers());
        assertThat(Instant.EPOCH).isBefore(START);
    }
}
