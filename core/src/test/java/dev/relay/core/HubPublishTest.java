package dev.relay.core;

import dev.relay.core.cluster.Published;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Publishing without a connection, as the REST API and the embedding API do. */
class HubPublishTest extends HubTestSupport {

    @Test
    void aMemberWithALiveConnectionPublishesToItsRoom() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();
        clock.advance(Duration.ofSeconds(30));

        Published published = hub().publish(alice.identity, roomMessage("general", "from the API")).join();
        syncAll();

        assertThat(published.id()).hasSize(20);
        assertThat(published.timestamp()).isEqualTo(START.plusSeconds(30));
        for (Client member : new Client[] {alice, bob}) {
            assertThat(member.messages()).as(member.toString()).singleElement().satisfies(received -> {
                assertThat(received.id()).isEqualTo(published.id());
                assertThat(received.from()).isEqualTo("alice");
                assertThat(received.content()).isEqualTo("from the API");
                assertThat(received.timestamp()).isEqualTo(published.timestamp());
            });
        }
        assertThat(hub().queries().stats().totalMessages()).isEqualTo(1);
    }

    @Test
    void aUserNotInTheRoomMayNotPublishToIt() {
        Client alice = connect(loop1, "alice", "support");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        assertRefused(() -> hub().publish(alice.identity, roomMessage("general", "let me in")), ErrorCode.NOT_MEMBER);
        assertRefused(() -> hub().publish(user("offline"), roomMessage("general", "hello")), ErrorCode.NOT_MEMBER);
        syncAll();
        assertThat(bob.messages()).isEmpty();
    }

    @Test
    void aUserWhoseLastConnectionLeftTheRoomMayNoLongerPublishToIt() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(leaveRoom(null, "general"));

        assertRefused(() -> hub().publish(alice.identity, roomMessage("general", "hi")), ErrorCode.NOT_MEMBER);
    }

    @Test
    void aMemberWithNoLiveConnectionInTheRoomMayPublishToItThroughTheApi() {
        Client bob = connect(loop2, "bob", "support");
        hub().admin().joinUser("alice", "support").join(); // a member, never connected
        Client carol = connect(loop1, "carol", "general");
        carol.send(joinRoom("j", "support"));
        carol.disconnect(); // still a member: disconnecting is not leaving
        clearAll();

        hub().publish(user("alice"), roomMessage("support", "from alice"));
        hub().publish(carol.identity, roomMessage("support", "from carol"));
        syncAll();
        assertThat(bob.messages()).filteredOn(message -> message.type().equals(MessageType.ROOM_MESSAGE))
                .extracting(ServerMessage::content).containsExactly("from alice", "from carol");

        hub().admin().leaveUser("alice", "support").join();
        assertRefused(() -> hub().publish(user("alice"), roomMessage("support", "gone")), ErrorCode.NOT_MEMBER);
    }

    @Test
    void anAdminMayPublishToARoomItIsNotIn() {
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "support");
        clearAll();

        Published published = hub().publish(Identity.SYSTEM, roomMessage("general", "system notice")).join();
        syncAll();

        assertThat(bob.messages()).singleElement().satisfies(received -> {
            assertThat(received.id()).isEqualTo(published.id());
            assertThat(received.from()).isEqualTo("system");
        });
        assertThat(carol.messages()).isEmpty();
    }

    @Test
    void publishRoutesPrivateMessagesAndBroadcasts() {
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "support");
        clearAll();

        hub().publish(user("api-user"), privateMessage("bob", "hi bob"));
        hub().publish(admin("root"), broadcast("to all"));
        syncAll();

        assertThat(bob.types()).containsExactly(MessageType.PRIVATE_MESSAGE, MessageType.BROADCAST);
        assertThat(carol.types()).containsExactly(MessageType.BROADCAST);
        assertRefused(() -> hub().publish(user("api-user"), broadcast("to all")), ErrorCode.FORBIDDEN);
        assertThat(hub().publish(user("api-user"), privateMessage("nobody", "hi")).join().storedOffline())
                .as("held for a user with no connection").isTrue();
    }

    @Test
    void publishAcceptsOnlyMessageTypes() {
        connect(loop1, "alice", "general");

        for (String type : new String[] {MessageType.JOIN_ROOM, MessageType.LEAVE_ROOM, MessageType.PING,
                MessageType.WELCOME, "shout"}) {
            ClientMessage message = message(type, null, "x", "general", null, null);
            assertRefused(() -> hub().publish(user("alice"), message), ErrorCode.UNKNOWN_TYPE);
        }
        assertRefused(() -> hub().publish(user("alice"), message(null, null, "x", "general", null, null)),
                ErrorCode.MISSING_FIELD);
    }

    @Test
    void publishChecksTheRoomAndTheBody() {
        connect(loop1, "alice", "general");

        assertRefused(() -> hub().publish(Identity.SYSTEM, roomMessage("nowhere", "x")), ErrorCode.ROOM_NOT_FOUND);
        assertRefused(() -> hub().publish(Identity.SYSTEM, roomMessage("not valid", "x")),
                ErrorCode.INVALID_ROOM_ID);
        assertRefused(() -> hub().publish(Identity.SYSTEM, roomMessage("general", "")), ErrorCode.MISSING_FIELD);
        assertThat(hub().queries().stats().totalMessages()).isZero();
    }

    static void assertRefused(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ProtocolException.class,
                refused -> assertThat(refused.code()).isEqualTo(code));
    }
}
