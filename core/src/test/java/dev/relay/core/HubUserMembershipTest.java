package dev.relay.core;

import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.RoomSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Membership belongs to the user: joined once (by a connection, by REST, or by connecting to the room), it outlives
 * disconnects until the user leaves or the room closes, and every connection of the user follows it.
 */
class HubUserMembershipTest extends HubTestSupport {

    @BeforeEach
    void teamRoom() {
        // Not a default room: the default rooms are every user's without joining.
        hub().admin().createRoom(admin("ops"), new RoomSpec("team", "Team", null));
    }

    @Test
    void joinUserWithNoLiveConnectionMakesAMemberWhoseNextConnectionEntersTheRoom() throws Exception {
        assertThat(hub().admin().joinUser("alice", "team").get(5, TimeUnit.SECONDS)).as("no connection moved").isZero();
        assertThat(hub().queries().isMember("team", "alice")).isTrue();
        assertThat(hub().queries().isMember("team", "bob")).isFalse();
        Client bob = connect(loop2, "bob", "team");
        bob.clear();

        Client alice = connect(loop1, "alice", "general");

        assertThat(alice.types()).as("the welcome first, then the remembered room")
                .startsWith(MessageType.WELCOME).contains(MessageType.JOINED);
        assertThat(alice.messages(MessageType.JOINED)).singleElement().satisfies(joined -> {
            assertThat(joined.roomId()).isEqualTo("team");
            assertThat(joined.data()).as("no ref: nobody asked on this connection").isNull();
        });
        assertThat(bob.messages(MessageType.USER_JOINED)).extracting(m -> data(m).get("user_id"))
                .containsExactly("alice");
        bob.send(roomMessage("team", "hi alice"));
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("hi alice");
    }

    @Test
    void aMembershipOutlivesDisconnectsUntilTheUserLeaves() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom("j", "team"));
        alice.disconnect();
        assertThat(hub().queries().isMember("team", "alice")).as("offline, still a member").isTrue();
        assertThat(hub().queries().isInRoom("team", "alice")).as("but not present").isFalse();

        Client again = connect(loop2, "alice", "general");
        assertThat(again.messages(MessageType.JOINED)).extracting(ServerMessage::roomId).containsExactly("team");
        again.send(leaveRoom("l", "team"));
        again.disconnect();
        assertThat(hub().queries().isMember("team", "alice")).isFalse();

        Client third = connect(loop3, "alice", "general");
        assertThat(third.messages(MessageType.JOINED)).as("left means left").isEmpty();
        assertThat(hub().queries().roomMembers("team")).isEmpty();
    }

    @Test
    void connectingToARoomJoinsItButConnectingToADefaultRoomRecordsNothing() {
        Client alice = connect(loop1, "alice", "team");
        alice.disconnect();
        Client bob = connect(loop2, "bob", "general");
        bob.disconnect();

        Client aliceAgain = connect(loop3, "alice", "general");
        assertThat(aliceAgain.messages(MessageType.JOINED)).extracting(ServerMessage::roomId).containsExactly("team");
        assertThat(hub().queries().memberRooms("alice")).containsExactly("announcements", "general", "support", "team");
        // Every user is a member of the default rooms, connected or not, and is not put back in them.
        assertThat(hub().queries().isMember("support", "carol")).isTrue();
        assertThat(hub().queries().memberRooms("bob")).containsExactly("announcements", "general", "support");
        Client bobAgain = connect(loop1, "bob", "announcements");
        assertThat(bobAgain.messages(MessageType.JOINED)).isEmpty();
        assertThat(hub().queries().isMember("nowhere", "bob")).as("not a room").isFalse();
    }

    @Test
    void joiningADefaultRoomOnPurposeIsRemembered() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom("j", "support"));
        alice.disconnect();

        Client again = connect(loop2, "alice", "general");
        assertThat(again.messages(MessageType.JOINED)).extracting(ServerMessage::roomId).containsExactly("support");
    }

    @Test
    void joinRoomOnOneConnectionBringsTheUsersOtherConnections() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop2, "alice", "general");
        Client bob = connect(loop3, "bob", "team");
        clearAll();

        alice.send(joinRoom("j", "team"));

        assertThat(alice.messages(MessageType.JOINED)).singleElement()
                .satisfies(joined -> assertThat(data(joined)).containsEntry("ref", "j"));
        assertThat(aliceOnPhone.messages(MessageType.JOINED)).singleElement().satisfies(joined -> {
            assertThat(joined.roomId()).isEqualTo("team");
            assertThat(joined.data()).isNull();
        });
        assertThat(bob.messages(MessageType.USER_JOINED)).as("one user, announced once").hasSize(1);
        bob.send(roomMessage("team", "both of you"));
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("both of you");
        assertThat(aliceOnPhone.contents(MessageType.ROOM_MESSAGE)).containsExactly("both of you");
    }

    @Test
    void leaveRoomOverTheWebSocketEndsTheMembershipEverywhere() {
        Client alice = connect(loop1, "alice", "team");
        Client aliceOnPhone = connect(loop2, "alice", "general");
        assertThat(aliceOnPhone.messages(MessageType.JOINED)).extracting(ServerMessage::roomId).containsExactly("team");
        Client bob = connect(loop3, "bob", "team");
        clearAll();

        aliceOnPhone.send(leaveRoom("l", "team"));

        assertThat(aliceOnPhone.messages(MessageType.LEFT)).singleElement()
                .satisfies(left -> assertThat(data(left)).containsEntry("ref", "l"));
        assertThat(alice.messages(MessageType.LEFT)).singleElement()
                .satisfies(left -> assertThat(left.data()).isNull());
        assertThat(bob.messages(MessageType.USER_LEFT)).hasSize(1);
        assertThat(hub().queries().isMember("team", "alice")).isFalse();
        bob.send(roomMessage("team", "alone"));
        assertThat(alice.messages(MessageType.ROOM_MESSAGE)).isEmpty();
    }

    @Test
    void leaveUserEndsTheMembershipOfAnOfflineUser() throws Exception {
        hub().admin().joinUser("alice", "team").get(5, TimeUnit.SECONDS);

        assertThat(hub().admin().leaveUser("alice", "team").get(5, TimeUnit.SECONDS)).isZero();

        assertThat(hub().queries().isMember("team", "alice")).isFalse();
        Client alice = connect(loop1, "alice", "general");
        assertThat(alice.messages(MessageType.JOINED)).isEmpty();
    }

    @Test
    void leaveRoomOfARoomTheUserIsOnlyRememberedInWorks() throws Exception {
        Client alice = connect(loop1, "alice", "general");
        hub().admin().joinUser("alice", "team").get(5, TimeUnit.SECONDS);
        syncAll();
        alice.send(leaveRoom("l", "team"));
        alice.clear();

        alice.send(leaveRoom("again", "team"));
        assertError(alice.singleError(), "not_member", "again");
    }

    @Test
    void closingARoomEndsItsMembershipsAndANewRoomWithItsIdStartsWithNone() throws Exception {
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom("j", "team"));
        hub().admin().joinUser("bob", "team").get(5, TimeUnit.SECONDS);

        hub().admin().closeRoom(admin("ops"), "team").get(5, TimeUnit.SECONDS);
        hub().admin().createRoom(admin("ops"), new RoomSpec("team", "Team again", null));

        assertThat(hub().queries().isMember("team", "alice")).isFalse();
        assertThat(hub().queries().isMember("team", "bob")).isFalse();
        Client bob = connect(loop2, "bob", "general");
        assertThat(bob.messages(MessageType.JOINED)).isEmpty();
    }

    @Test
    void aRememberedPrivateRoomIsEnteredOnlyWithATokenThatMayEnterIt() throws Exception {
        hub().admin().createRoom(admin("ops"), new RoomSpec("secret", "Secret", null), true, Set.of());
        Identity granted = new Identity("alice", "Alice", Set.of(), Set.of("secret"));
        Client alice = connect(loop1, granted, "general");
        alice.send(joinRoom("j", "secret"));
        alice.disconnect();

        Client withoutTheClaim = connect(loop2, "alice", "general");
        assertThat(withoutTheClaim.messages(MessageType.JOINED)).as("membership never widens access").isEmpty();
        Client withTheClaim = connect(loop3, granted, "general");
        assertThat(withTheClaim.messages(MessageType.JOINED)).extracting(ServerMessage::roomId)
                .containsExactly("secret");
        assertThat(hub().queries().roomAccess().mayEnter(user("alice"), "secret")).isFalse();
    }

    @Test
    void resumingARoomJoinsIt() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(resume("r", "team", 0, epoch("team")));
        alice.disconnect();

        assertThat(hub().queries().isMember("team", "alice")).isTrue();
        assertThat(connect(loop2, "alice", "general").messages(MessageType.JOINED))
                .extracting(ServerMessage::roomId).containsExactly("team");
    }

    @Test
    void membersOfSeveralRoomsEnterEachOnce() throws Exception {
        hub().admin().createRoom(admin("ops"), new RoomSpec("design", "Design", null));
        for (String room : List.of("team", "design", "support")) {
            hub().admin().joinUser("alice", room).get(5, TimeUnit.SECONDS);
        }

        Client alice = connect(loop1, "alice", "team");

        assertThat(alice.messages(MessageType.JOINED)).extracting(ServerMessage::roomId)
                .containsExactlyInAnyOrder("design", "support");
        assertThat(alice.session.roomIds()).containsExactlyInAnyOrder("team", "design", "support");
    }
}
