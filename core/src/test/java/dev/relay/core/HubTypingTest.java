package dev.relay.core;

import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code typing} ({@link Typing}): to the others only, never acked, at most one per user per conversation every 2 s
 * (the boundary included), each conversation throttled on its own.
 */
class HubTypingTest extends HubTestSupport {
    static ClientMessage typing(String id, String roomId, String to) {
        return message(MessageType.TYPING, id, null, roomId, to, null);
    }

    @Test
    void aRoomsTypingReachesTheOtherMembersOnlyWithFromAndIsNotAcked() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceTab = connect(loop2, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "support");
        clearAll();

        alice.send(typing("t1", "general", null));

        assertThat(bob.messages()).singleElement().satisfies(frame -> {
            assertThat(frame.type()).isEqualTo(MessageType.TYPING);
            assertThat(frame.roomId()).isEqualTo("general");
            assertThat(frame.from()).isEqualTo("alice");
            assertThat(frame.id()).isNull();
            assertThat(frame.seq()).as("not part of the stream").isNull();
        });
        assertThat(alice.messages()).as("no ack, no echo").isEmpty();
        assertThat(aliceTab.messages()).as("the typist's other tab").isEmpty();
        assertThat(carol.messages()).isEmpty();
    }

    @Test
    void oneTypingPerUserPerConversationEveryTwoSecondsIsForwardedTheRestDropSilently() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom(null, "support"));
        Client bob = connect(loop2, "bob", "general");
        bob.send(joinRoom(null, "support"));
        Client carol = connect(loop3, "carol", "general");
        clearAll();

        alice.send(typing(null, "general", null));
        nanos.advance(Duration.ofMillis(1999));
        alice.send(typing("again", "general", null));
        assertThat(bob.messages(MessageType.TYPING)).as("the second within 2 s is dropped").hasSize(1);
        assertThat(alice.errors()).as("silently").isEmpty();

        alice.send(typing(null, "support", null));
        carol.send(typing(null, "general", null));
        assertThat(bob.messages(MessageType.TYPING)).as("another room, another user: throttled on their own")
                .extracting(ServerMessage::from, ServerMessage::roomId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", "general"),
                        org.assertj.core.groups.Tuple.tuple("alice", "support"),
                        org.assertj.core.groups.Tuple.tuple("carol", "general"));

        nanos.advance(Duration.ofMillis(1));
        alice.send(typing(null, "general", null));
        assertThat(bob.messages(MessageType.TYPING)).as("2 s after the last forwarded one").hasSize(4);
    }

    @Test
    void aPrivateTypingReachesTheRecipientOnly() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "general");
        clearAll();

        alice.send(typing(null, null, "bob"));

        assertThat(bob.messages()).singleElement().satisfies(frame -> {
            assertThat(frame.type()).isEqualTo(MessageType.TYPING);
            assertThat(frame.to()).isEqualTo("bob");
            assertThat(frame.from()).isEqualTo("alice");
        });
        assertThat(alice.messages()).isEmpty();
        assertThat(carol.messages()).isEmpty();
    }

    @Test
    void typingInARoomTheUserIsNotInIsRefused() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "support");
        clearAll();

        alice.send(typing("t", "support", null));

        assertError(alice.singleError(), "not_member", "t");
        assertThat(bob.messages()).isEmpty();
        alice.clear();
        alice.send(typing("none", null, null));
        assertError(alice.singleError(), "missing_field", "none");
    }
}
