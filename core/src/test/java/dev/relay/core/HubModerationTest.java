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
        Client alice = connect(loop1, "alice", "support");
        Client aliceTab = connect(loop2, "alice", "support");
        Client bob = connect(loop3, "bob", "support");
        Client carol = connect(loop1, "carol", "general");
        clearAll();

        int evicted = hub().closeRoom(admin("ops"), "support").get(10, TimeUnit.SECONDS);
        syncAll();

        assertThat(evicted).isEqualTo(3);
        for (Client member : new Client[]{alice, aliceTab, bob}) {
            assertThat(member.types()).as(member.toString()).containsExactly(MessageType.ROOM_CLOSED);
            ServerMessage closed = member.messages().getFirst();
            assertThat(closed.roomId()).isEqualTo("support");
            assertThat(data(closed)).containsEntry("by", "ops");
            assertThat(member.session.roomIds()).doesNotContain("support");
        }
        assertThat(carol.messages()).as("not a member").isEmpty();
        assertThat(hub().roomExists("support")).isFalse();
    }

    @Test
    void aClosedRoomTakesNoMessagesOrJoinsAndCanBeCreatedAnew() throws Exception {
        Client alice = connect(loop1, "alice", "support");
        hub().closeRoom(admin("ops"), "support").get(10, TimeUnit.SECONDS);
        clearAll();

        alice.send(roomMessage("m", "support", "anyone?"));
        assertError(alice.singleError(), "room_not_found", "m");
        alice.clear();
        alice.send(joinRoom("j", "support"));
        assertError(alice.singleError(), "room_not_found", "j");
        assertThatThrownBy(() -> hub().joinUser("alice", "support")).isInstanceOf(ProtocolException.class);

        hub().createRoom(admin("ops"), new dev.relay.core.room.RoomSpec("support", "Support again", ""));
        alice.clear();
        alice.send(joinRoom("again", "support"));
        assertThat(alice.types()).contains(MessageType.JOINED);
    }

    @Test
    void onlyAdminsMayCloseRoomsOrDisconnectUsers() {
        Client bob = connect(loop1, "bob", "general");

        assertThatThrownBy(() -> hub().closeRoom(user("mallory"), "general"))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code().code()).isEqualTo("forbidden"));
        assertThatThrownBy(() -> hub().disconnectUser(user("mallory"), "bob", CloseReason.DISCONNECTED_BY_ADMIN))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code().code()).isEqualTo("forbidden"));
        assertThat(hub().roomExists("general")).isTrue();
        assertThat(bob.connection.closeCalls()).isZero();
    }

    @Test
    void closingAMissingRoomIsRoomNotFound() {
        assertThatThrownBy(() -> hub().closeRoom(admin("ops"), "nowhere"))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code().code()).isEqualTo("room_not_found"));
    }

    @Test
    void disconnectingAUserClosesEachOfItsConnectionsWithTheReasonAndNoOneElses() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceTab = connect(loop2, "alice", "support");
        Client bob = connect(loop3, "bob", "general");
        CloseReason reason = new CloseReason(CloseReason.DISCONNECTED_BY_ADMIN.code(), "spamming");

        int closed = hub().disconnectUser(admin("ops"), "alice", reason);

        assertThat(closed).isEqualTo(2);
        assertThat(alice.connection.closeReason()).isEqualTo(reason);
        assertThat(aliceTab.connection.closeReason()).isEqualTo(reason);
        assertThat(bob.connection.closeCalls()).isZero();
        assertThat(hub().disconnectUser(admin("ops"), "nobody", reason)).isZero();
    }
}
