package dev.relay.core;

import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Admins closing rooms and disconnecting users; nobody else may. */
class HubModerationTest extends HubTestSupport {

    @Test
    void closingARoomTellsEveryMemberConnectionOnceAndTakesThemOut() throws Exception {
        hub().admin().createRoom(admin("ops"), new dev.relay.core.room.RoomSpec("lounge", null, null));
        Client alice = connect(loop1, "alice", "lounge");
        Client aliceTab = connect(loop2, "alice", "lounge");
        Client bob = connect(loop3, "bob", "lounge");
        Client carol = connect(loop1, "carol", "general");
        clearAll();

        int evicted = hub().admin().closeRoom(admin("ops"), "lounge").get(10, TimeUnit.SECONDS);
        syncAll();

        assertThat(evicted).isEqualTo(3);
        for (Client member : new Client[]{alice, aliceTab, bob}) {
            assertThat(member.types()).as(member.toString()).containsExactly(MessageType.ROOM_CLOSED);
            ServerMessage closed = member.messages().getFirst();
            assertThat(closed.roomId()).isEqualTo("lounge");
            assertThat(data(closed)).containsEntry("by", "ops");
            assertThat(member.session.roomIds()).doesNotContain("lounge");
        }
        assertThat(carol.messages()).as("not a member").isEmpty();
        assertThat(hub().queries().roomExists("lounge")).isFalse();
    }

    @Test
    void aClosedRoomTakesNoMessagesOrJoinsAndCanBeCreatedAnew() throws Exception {
        hub().admin().createRoom(admin("ops"), new dev.relay.core.room.RoomSpec("lounge", null, null));
        Client alice = connect(loop1, "alice", "lounge");
        hub().admin().closeRoom(admin("ops"), "lounge").get(10, TimeUnit.SECONDS);
        clearAll();

        alice.send(roomMessage("m", "lounge", "anyone?"));
        assertError(alice.singleError(), "room_not_found", "m");
        alice.clear();
        alice.send(joinRoom("j", "lounge"));
        assertError(alice.singleError(), "room_not_found", "j");
        assertThatThrownBy(() -> hub().admin().joinUser("alice", "lounge")).isInstanceOf(ProtocolException.class);

        hub().admin().createRoom(admin("ops"), new dev.relay.core.room.RoomSpec("lounge", "Support again", ""));
        alice.clear();
        alice.send(joinRoom("again", "lounge"));
        assertThat(alice.types()).contains(MessageType.JOINED);
    }

    @Test
    void onlyAdminsMayCloseRoomsOrDisconnectUsers() {
        hub().admin().createRoom(admin("ops"), new dev.relay.core.room.RoomSpec("lounge", null, null));
        Client bob = connect(loop1, "bob", "general");

        assertThatThrownBy(() -> hub().admin().closeRoom(user("mallory"), "general"))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code().code()).isEqualTo("forbidden"));
        assertThatThrownBy(() -> hub().admin().disconnectUser(user("mallory"), "bob", CloseReason.DISCONNECTED_BY_ADMIN))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code().code()).isEqualTo("forbidden"));
        assertThat(hub().queries().roomExists("general")).isTrue();
        assertThat(bob.connection.closeCalls()).isZero();
    }

    @Test
    void closingAMissingRoomIsRoomNotFound() {
        hub().admin().createRoom(admin("ops"), new dev.relay.core.room.RoomSpec("lounge", null, null));
        assertThatThrownBy(() -> hub().admin().closeRoom(admin("ops"), "nowhere"))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code().code()).isEqualTo("room_not_found"));
    }

    @Test
    void disconnectingAUserClosesEachOfItsConnectionsWithTheReasonAndNoOneElses() {
        hub().admin().createRoom(admin("ops"), new dev.relay.core.room.RoomSpec("lounge", null, null));
        Client alice = connect(loop1, "alice", "general");
        Client aliceTab = connect(loop2, "alice", "lounge");
        Client bob = connect(loop3, "bob", "general");
        CloseReason reason = new CloseReason(CloseReason.DISCONNECTED_BY_ADMIN.code(), "spamming");

        int closed = hub().admin().disconnectUser(admin("ops"), "alice", reason);

        assertThat(closed).isEqualTo(2);
        assertThat(alice.connection.closeReason()).isEqualTo(reason);
        assertThat(aliceTab.connection.closeReason()).isEqualTo(reason);
        assertThat(bob.connection.closeCalls()).isZero();
        assertThat(hub().admin().disconnectUser(admin("ops"), "nobody", reason)).isZero();
    }
}
