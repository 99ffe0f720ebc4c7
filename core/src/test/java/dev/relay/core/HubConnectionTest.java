package dev.relay.core;

import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.RoomInfo;
import dev.relay.core.testing.TestConnection;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connecting, disconnecting, the counters and closing everyone. */
class HubConnectionTest extends HubTestSupport {

    @Test
    void connectGreetsWithWelcomeThenAnnouncesTheUserInTheRoom() {
        Client alice = connect(loop1, "alice", "general");

        assertThat(alice.types()).containsExactly(MessageType.WELCOME, MessageType.USER_JOINED);
        ServerMessage welcome = alice.messages().getFirst();
        assertThat(welcome.content()).isEqualTo("欢迎连接到WebSocket服务");
        assertThat(data(welcome)).containsExactly(
                Map.entry("client_id", alice.session.id()),
                Map.entry("user_id", "alice"),
                Map.entry("room_id", "general"));
        assertThat(welcome.timestamp()).isEqualTo(START);

        ServerMessage joined = alice.messages().get(1);
        assertThat(joined.roomId()).isEqualTo("general");
        assertThat(data(joined)).containsEntry("user_id", "alice").containsEntry("name", "Name of alice");
        assertThat(alice.connection.closeReason()).isNull();
    }

    @Test
    void membersAlreadyInTheRoomSeeTheNewcomerJoin() {
        Client bob = connect(loop2, "bob", "general");
        Client elsewhere = connect(loop3, "carol", "support");
        clearAll();

        connect(loop1, "alice", "general");

        assertThat(bob.messages(MessageType.USER_JOINED)).singleElement()
                .satisfies(event -> assertThat(data(event)).containsEntry("user_id", "alice"));
        assertThat(elsewhere.messages()).isEmpty();
    }

    @Test
    void clientIdsDifferPerConnection() {
        Client first = connect(loop1, "alice", "general");
        Client second = connect(loop2, "alice", "general");

        assertThat(first.session.id()).isNotEqualTo(second.session.id());
        assertThat(data(second.messages().getFirst())).containsEntry("client_id", second.session.id());
    }

    @Test
    void aSecondConnectionOfTheSameUserIsNotAnnouncedAgain() {
        Client observer = connect(loop3, "bob", "general");
        Client first = connect(loop1, "alice", "general");
        clearAll();

        Client second = connect(loop2, "alice", "general");

        assertThat(second.types()).containsExactly(MessageType.WELCOME);
        assertThat(observer.messages()).isEmpty();
        assertThat(first.messages()).isEmpty();
        assertThat(hub().queries().onlineUsers()).isEqualTo(2);
        assertThat(hub().queries().connections()).isEqualTo(3);
    }

    @Test
    void connectingToAMissingRoomIsRefusedAndLeavesNoTrace() {
        TestConnection connection = new TestConnection(loop1, "nobody");

        assertThatThrownBy(() -> loop1.call(() -> hub().connect(user("alice"), connection, "no-such-room")))
                .isInstanceOfSatisfying(ProtocolException.class,
                        refused -> assertThat(refused.code()).isEqualTo(ErrorCode.ROOM_NOT_FOUND));
        syncAll();

        assertThat(connection.received()).isEmpty();
        assertThat(hub().queries().connections()).isZero();
        assertThat(hub().queries().onlineUsers()).isZero();
    }

    @Test
    void pingIsAnsweredWithPongCarryingTheRef() {
        Client alice = connect(loop1, "alice", "general");
        alice.clear();

        alice.send(message(MessageType.PING, "p-1", null, null, null, null));

        assertThat(alice.messages()).singleElement().satisfies(pong -> {
            assertThat(pong.type()).isEqualTo(MessageType.PONG);
            assertThat(data(pong)).containsEntry("ref", "p-1");
        });
    }

    @Test
    void disconnectLeavesEveryRoomAndGoesOffline() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom("j", "support"));
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "support");
        clearAll();

        alice.disconnect();

        assertThat(bob.types()).containsExactly(MessageType.USER_LEFT, MessageType.PRESENCE);
        assertThat(bob.messages().getFirst()).satisfies(left -> {
            assertThat(left.roomId()).isEqualTo("general");
            assertThat(data(left)).containsEntry("user_id", "alice");
        });
        assertThat(data(bob.messages().get(1))).containsEntry("user_id", "alice").containsEntry("status", "offline");
        assertThat(carol.types()).containsExactly(MessageType.USER_LEFT, MessageType.PRESENCE);
        assertThat(carol.messages().getFirst().roomId()).isEqualTo("support");
        assertThat(alice.messages()).as("nothing is sent to a closed connection").isEmpty();
        assertThat(hub().queries().onlineUsers()).isEqualTo(2);
        assertThat(hub().queries().connections()).isEqualTo(2);
        assertThat(clientCount("general")).isEqualTo(1);
        assertThat(clientCount("support")).isEqualTo(1);

        bob.send(roomMessage("general", "still there?"));
        assertThat(alice.messages()).as("a disconnected connection gets no more room messages").isEmpty();
    }

    @Test
    void disconnectingTwiceIsHarmless() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.disconnect();
        alice.disconnect();

        assertThat(bob.messages(MessageType.USER_LEFT)).hasSize(1);
        assertThat(hub().queries().connections()).isEqualTo(1);
        assertThat(hub().queries().onlineUsers()).isEqualTo(1);
        assertThat(clientCount("general")).isEqualTo(1);
    }

    @Test
    void messagesArrivingAfterDisconnectAreDropped() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "support");
        alice.disconnect();
        clearAll();

        alice.send(joinRoom("late", "support"));
        alice.send(roomMessage("support", "from beyond"));
        alice.sendBinary(new byte[] {1});

        assertThat(alice.messages()).isEmpty();
        assertThat(bob.connection.received()).isEmpty();
        assertThat(clientCount("support")).as("a closed connection does not re-enter a room").isEqualTo(1);
        assertThat(room(hub().queries().stats(), "support").userCount()).isEqualTo(1);
        HubPublishTest.assertRefused(() -> hub().publish(alice.identity, roomMessage("support", "via REST")),
                ErrorCode.NOT_MEMBER);
    }

    @Test
    void closingOneOfTwoConnectionsKeepsTheUserOnlineAndInTheRoom() {
        Client first = connect(loop1, "alice", "general");
        Client second = connect(loop2, "alice", "general");
        Client bob = connect(loop3, "bob", "general");
        clearAll();

        first.disconnect();

        assertThat(bob.messages()).isEmpty();
        assertThat(hub().queries().onlineUsers()).isEqualTo(2);
        assertThat(hub().queries().connections()).isEqualTo(2);

        second.disconnect();

        assertThat(bob.messages(MessageType.USER_LEFT)).singleElement()
                .satisfies(left -> assertThat(data(left)).containsEntry("user_id", "alice"));
        assertThat(hub().queries().onlineUsers()).isEqualTo(1);
    }

    @Test
    void statsCountRoomsUsersConnectionsAndMessages() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        connect(loop3, "alice", "support");
        alice.send(roomMessage("general", "one"));
        alice.send(roomMessage("general", "two"));
        bob.send(joinRoom(null, "support"));
        bob.send(roomMessage("support", "three"));
        bob.send(roomMessage("support", "")); // refused: counts nothing
        clock.advance(Duration.ofMinutes(5));

        HubStats stats = hub().queries().stats();

        assertThat(stats.totalRooms()).isEqualTo(3);
        assertThat(stats.onlineUsers()).isEqualTo(2);
        assertThat(stats.connections()).isEqualTo(3);
        assertThat(stats.totalMessages()).isEqualTo(3);
        assertThat(stats.timestamp()).isEqualTo(START.plus(Duration.ofMinutes(5)));
        assertThat(stats.rooms()).extracting(RoomInfo::id)
                .containsExactlyInAnyOrder("general", "announcements", "support");
        assertThat(room(stats, "general")).satisfies(general -> {
            assertThat(general.clientCount()).isEqualTo(2);
            assertThat(general.userCount()).isEqualTo(2);
            assertThat(general.messageCount()).isEqualTo(2);
        });
        assertThat(room(stats, "support")).satisfies(support -> {
            assertThat(support.clientCount()).isEqualTo(2);
            assertThat(support.userCount()).isEqualTo(2);
            assertThat(support.messageCount()).isEqualTo(1);
        });
        assertThat(room(stats, "announcements")).satisfies(announcements -> {
            assertThat(announcements.clientCount()).isZero();
            assertThat(announcements.messageCount()).isZero();
        });
    }

    @Test
    void closeAllClosesEveryConnectionWithTheReason() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceAgain = connect(loop2, "alice", "support");
        Client bob = connect(loop3, "bob", "general");

        hub().closeAll(CloseReason.SHUTTING_DOWN);

        for (Client client : new Client[] {alice, aliceAgain, bob}) {
            assertThat(client.connection.closeReason()).as(client.toString()).isEqualTo(CloseReason.SHUTTING_DOWN);
            assertThat(client.connection.closeCalls()).as(client.toString()).isEqualTo(1);
        }
    }

    @Test
    void closeAllSkipsConnectionsAlreadyGone() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        alice.disconnect();

        hub().closeAll(CloseReason.SHUTTING_DOWN);

        assertThat(alice.connection.closeReason()).isNull();
        assertThat(bob.connection.closeReason()).isEqualTo(CloseReason.SHUTTING_DOWN);
    }

    private int clientCount(String roomId) {
        return room(hub().queries().stats(), roomId).clientCount();
    }

    static RoomInfo room(HubStats stats, String roomId) {
        return stats.rooms().stream().filter(info -> info.id().equals(roomId)).findFirst().orElseThrow();
    }
}
