package dev.relay.core;

import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Joining and leaving rooms, from a connection (join_room/leave_room) and for a whole user (joinUser/leaveUser). */
class HubMembershipTest extends HubTestSupport {

    @Test
    void joinRoomRepliesJoinedAndAnnouncesTheUserToTheRoom() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "support");
        Client carol = connect(loop3, "carol", "general");
        clearAll();

        alice.send(joinRoom("j-1", "support"));

        assertThat(alice.messages(MessageType.JOINED)).singleElement().satisfies(joined -> {
            assertThat(joined.roomId()).isEqualTo("support");
            assertThat(data(joined)).containsEntry("ref", "j-1");
        });
        assertThat(bob.messages()).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(MessageType.USER_JOINED);
            assertThat(event.roomId()).isEqualTo("support");
            assertThat(data(event)).containsEntry("user_id", "alice").containsEntry("name", "Name of alice");
        });
        assertThat(carol.messages()).as("members of other rooms hear nothing").isEmpty();

        bob.send(roomMessage("support", "welcome, alice"));
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("welcome, alice");
    }

    @Test
    void joinedHasNoRefWhenTheClientGaveNoId() {
        Client alice = connect(loop1, "alice", "general");
        alice.clear();

        alice.send(joinRoom(null, "support"));

        assertThat(alice.messages(MessageType.JOINED)).singleElement()
                .satisfies(joined -> assertThat(joined.data()).isNull());
    }

    @Test
    void joiningTwiceIsIdempotent() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "support");
        alice.send(joinRoom("first", "support"));
        clearAll();

        alice.send(joinRoom("second", "support"));

        assertThat(alice.messages()).singleElement().satisfies(joined -> {
            assertThat(joined.type()).isEqualTo(MessageType.JOINED);
            assertThat(data(joined)).containsEntry("ref", "second");
        });
        assertThat(bob.messages()).isEmpty();
        assertThat(HubConnectionTest.room(hub().queries().stats(), "support").clientCount()).isEqualTo(2);

        bob.send(roomMessage("support", "once"));
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("once");
    }

    @Test
    void onlyTheFirstConnectionOfAUserInARoomIsAnnounced() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop2, "alice", "general");
        Client bob = connect(loop3, "bob", "support");
        clearAll();

        alice.send(joinRoom(null, "support"));
        aliceOnPhone.send(joinRoom(null, "support"));

        assertThat(bob.messages(MessageType.USER_JOINED)).hasSize(1);
        // Once moved in with alice's join (no ref), once answering its own.
        assertThat(aliceOnPhone.messages(MessageType.JOINED)).hasSize(2);
    }

    @Test
    void leaveRoomTakesEveryConnectionOfTheUserOutAndAnnouncesOnce() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop2, "alice", "general");
        Client bob = connect(loop3, "bob", "general");
        clearAll();

        alice.send(leaveRoom("l-1", "general"));

        assertThat(alice.messages()).singleElement().satisfies(left -> {
            assertThat(left.type()).isEqualTo(MessageType.LEFT);
            assertThat(left.roomId()).isEqualTo("general");
            assertThat(data(left)).containsEntry("ref", "l-1");
        });
        assertThat(aliceOnPhone.messages()).as("the user left, not one connection").singleElement()
                .satisfies(left -> {
                    assertThat(left.type()).isEqualTo(MessageType.LEFT);
                    assertThat(left.roomId()).isEqualTo("general");
                    assertThat(left.data()).as("no ref: it did not ask").isNull();
                });
        assertThat(bob.messages()).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(MessageType.USER_LEFT);
            assertThat(event.roomId()).isEqualTo("general");
            assertThat(data(event)).containsEntry("user_id", "alice");
        });

        bob.send(roomMessage("general", "gone?"));
        assertThat(alice.messages(MessageType.ROOM_MESSAGE)).isEmpty();
        assertThat(aliceOnPhone.messages(MessageType.ROOM_MESSAGE)).isEmpty();

        aliceOnPhone.clear();
        aliceOnPhone.send(leaveRoom("l-2", "general"));
        assertError(aliceOnPhone.singleError(), "not_member", "l-2");
    }

    @Test
    void leavingARoomYouAreNotInIsRefused() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "support");
        clearAll();

        alice.send(leaveRoom("l", "support"));

        assertError(alice.singleError(), "not_member", "l");
        assertThat(alice.messages(MessageType.LEFT)).isEmpty();
        assertThat(bob.messages()).isEmpty();
        assertThat(alice.connection.closeReason()).isNull();
    }

    @Test
    void joinAndLeaveCheckTheRoom() {
        Client alice = connect(loop1, "alice", "general");
        alice.clear();

        List<List<Object>> cases = List.of(
                List.of(joinRoom("a", "nowhere"), "room_not_found"),
                List.of(leaveRoom("b", "nowhere"), "room_not_found"),
                List.of(joinRoom("c", null), "missing_field"),
                List.of(leaveRoom("d", ""), "missing_field"),
                List.of(joinRoom("e", "no spaces"), "invalid_room_id"),
                List.of(leaveRoom("f", "_leading"), "invalid_room_id"));
        for (List<Object> refusal : cases) {
            alice.clear();
            ClientMessage request = (ClientMessage) refusal.get(0);
            alice.send(request);
            assertError(alice.singleError(), (String) refusal.get(1), request.id());
        }
    }

    @Test
    void withoutPresenceNoJoinOrLeaveIsAnnounced() {
        configure(settings -> settings.enableUserPresence = false);
        Client bob = connect(loop2, "bob", "general");
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom("j", "support"));
        Client carol = connect(loop3, "carol", "support");
        alice.send(leaveRoom("l", "support"));
        alice.disconnect();
        carol.disconnect();

        assertThat(alice.types()).containsExactly(MessageType.WELCOME, MessageType.JOINED, MessageType.LEFT);
        assertThat(bob.types()).containsExactly(MessageType.WELCOME);
        assertThat(carol.types()).containsExactly(MessageType.WELCOME);
    }

    @Test
    void roomsPastPresenceMaxRoomUsersAnnounceNeitherArrivalNorDeparture() {
        configure(settings -> settings.presenceMaxRoomUsers = 2);
        Client bob = connect(loop2, "bob", "general");
        Client alice = connect(loop1, "alice", "general"); // 2 users: at the limit, announced
        Client carol = connect(loop3, "carol", "general"); // 3 users: past it, not announced
        carol.send(status("s", "busy"));
        carol.disconnect(); // her departure is not announced either
        alice.disconnect(); // back at 2 with alice counted: announced
        syncAll();

        assertThat(bob.messages(MessageType.USER_JOINED)).extracting(m -> data(m).get("user_id"))
                .containsExactly("bob", "alice");
        assertThat(bob.messages(MessageType.USER_LEFT)).extracting(m -> data(m).get("user_id"))
                .containsExactly("alice");
        assertThat(bob.messages(MessageType.PRESENCE)).extracting(m -> data(m).get("user_id"))
                .containsExactly("alice");
        assertThat(carol.messages(MessageType.USER_JOINED)).isEmpty();
    }

    @Test
    void joinUserMovesEveryLiveConnectionOfTheUserAndAnnouncesOnce() throws Exception {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop2, "alice", "general");
        Client aliceOnTablet = connect(loop3, "alice", "announcements");
        Client observer = connect(loop2, "bob", "support");
        Client outsider = connect(loop3, "carol", "general");
        clearAll();

        int moved = hub().admin().joinUser("alice", "support").get(5, TimeUnit.SECONDS);
        syncAll();

        assertThat(moved).isEqualTo(3);
        assertThat(observer.messages(MessageType.USER_JOINED)).singleElement()
                .satisfies(event -> assertThat(data(event)).containsEntry("user_id", "alice"));
        assertThat(outsider.messages()).isEmpty();
        assertThat(HubConnectionTest.room(hub().queries().stats(), "support").clientCount()).isEqualTo(4);

        observer.send(roomMessage("support", "hi alice"));
        for (Client connection : List.of(alice, aliceOnPhone, aliceOnTablet)) {
            assertThat(connection.contents(MessageType.ROOM_MESSAGE)).as(connection.toString())
                    .containsExactly("hi alice");
        }
    }

    @Test
    void joinUserCountsOnlyConnectionsNotYetInTheRoom() throws Exception {
        Client alice = connect(loop1, "alice", "support");
        connect(loop2, "alice", "general");
        Client observer = connect(loop3, "bob", "support");
        clearAll();

        int moved = hub().admin().joinUser("alice", "support").get(5, TimeUnit.SECONDS);
        syncAll();

        assertThat(moved).isEqualTo(1);
        assertThat(observer.messages()).as("alice was already in the room").isEmpty();
        assertThat(alice.messages()).isEmpty();
    }

    @Test
    void leaveUserTakesEveryConnectionOutAndAnnouncesOnce() throws Exception {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop2, "alice", "general");
        Client aliceInSupport = connect(loop3, "alice", "support");
        Client observer = connect(loop3, "bob", "general");
        clearAll();

        int moved = hub().admin().leaveUser("alice", "general").get(5, TimeUnit.SECONDS);
        syncAll();

        assertThat(moved).isEqualTo(2);
        assertThat(observer.messages()).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(MessageType.USER_LEFT);
            assertThat(data(event)).containsEntry("user_id", "alice");
        });
        observer.send(roomMessage("general", "anyone?"));
        assertThat(alice.messages(MessageType.ROOM_MESSAGE)).isEmpty();
        assertThat(aliceOnPhone.messages(MessageType.ROOM_MESSAGE)).isEmpty();
        assertThat(aliceInSupport.messages()).isEmpty();
        assertThat(hub().queries().onlineUsers()).as("leaving a room is not going offline").isEqualTo(2);
    }

    @Test
    void joinUserAndLeaveUserNeedAnExistingRoom() {
        connect(loop1, "alice", "general");

        assertThatThrownBy(() -> hub().admin().joinUser("alice", "nowhere"))
                .isInstanceOfSatisfying(ProtocolException.class,
                        refused -> assertThat(refused.code()).isEqualTo(ErrorCode.ROOM_NOT_FOUND));
        assertThatThrownBy(() -> hub().admin().leaveUser("alice", "nowhere"))
                .isInstanceOfSatisfying(ProtocolException.class,
                        refused -> assertThat(refused.code()).isEqualTo(ErrorCode.ROOM_NOT_FOUND));
    }

    @Test
    void joinUserOfAnOfflineUserMovesNothing() throws Exception {
        Client bob = connect(loop1, "bob", "support");
        bob.clear();

        assertThat(hub().admin().joinUser("ghost", "support").get(5, TimeUnit.SECONDS)).isZero();
        assertThat(hub().admin().leaveUser("ghost", "support").get(5, TimeUnit.SECONDS)).isZero();
        syncAll();
        assertThat(bob.messages()).isEmpty();
    }

    @Test
    void joinUserSkipsConnectionsAlreadyDisconnected() throws Exception {
        Client alice = connect(loop1, "alice", "general");
        connect(loop2, "alice", "general");
        alice.disconnect();
        alice.clear();

        assertThat(hub().admin().joinUser("alice", "support").get(5, TimeUnit.SECONDS)).isEqualTo(1);
        syncAll();
        assertThat(HubConnectionTest.room(hub().queries().stats(), "support").clientCount()).isEqualTo(1);
        assertThat(alice.messages()).isEmpty();
    }
}
