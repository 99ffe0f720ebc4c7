package dev.relay.core;

import dev.relay.core.cluster.Published;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Acks for messages with an id, and retries of the same id delivered once within the dedup window. */
class HubAckTest extends HubTestSupport {

    @Test
    void aRoomMessageWithAnIdIsAckedWithTheDeliveredIdAndSeq() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        bob.send(roomMessage("general", "first"));
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));

        ServerMessage delivered = bob.messages(MessageType.ROOM_MESSAGE).getFirst();
        assertThat(alice.messages(MessageType.ACK)).singleElement().satisfies(ack -> {
            assertThat(ack.id()).isNull();
            assertThat(ack.roomId()).isNull();
            assertThat(data(ack)).containsExactly(Map.entry("ref", "m-1"), Map.entry("id", delivered.id()),
                    Map.entry("seq", 2L));
        });
        assertThat(delivered.seq()).isEqualTo(2L);
        assertThat(alice.messages(MessageType.ROOM_MESSAGE).getFirst().id()).isEqualTo(delivered.id());
    }

    @Test
    void privateMessagesAndBroadcastsAreAckedWithoutASeq() {
        Client root = connect(loop1, admin("root"), "general");
        Client bob = connect(loop2, "bob", "support");
        clearAll();

        root.send(message(MessageType.PRIVATE_MESSAGE, "p-1", "psst", null, "bob", null));
        root.send(message(MessageType.BROADCAST, "b-1", "all", null, null, null));

        assertThat(root.messages(MessageType.ACK)).hasSize(2);
        Map<String, Object> privateAck = data(root.messages(MessageType.ACK).get(0));
        Map<String, Object> broadcastAck = data(root.messages(MessageType.ACK).get(1));
        assertThat(privateAck).containsOnlyKeys("ref", "id").containsEntry("ref", "p-1")
                .containsEntry("id", bob.messages(MessageType.PRIVATE_MESSAGE).getFirst().id());
        assertThat(broadcastAck).containsOnlyKeys("ref", "id").containsEntry("ref", "b-1")
                .containsEntry("id", bob.messages(MessageType.BROADCAST).getFirst().id());
    }

    @Test
    void aMessageWithoutAnIdIsNotAcked() {
        Client root = connect(loop1, admin("root"), "general");
        connect(loop2, "bob", "general");
        clearAll();

        root.send(roomMessage("general", "no id"));
        root.send(privateMessage("bob", "no id"));
        root.send(broadcast("no id"));

        assertThat(root.messages(MessageType.ACK)).isEmpty();
        assertThat(root.errors()).isEmpty();
    }

    @Test
    void aRetryFromTheSameConnectionIsAckedAgainAndDeliveredOnce() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));
        alice.send(roomMessage("m-1", "general", "hello"));

        assertThat(alice.messages(MessageType.ACK)).hasSize(2);
        assertThat(data(alice.messages(MessageType.ACK).get(1))).isEqualTo(data(alice.messages(MessageType.ACK).get(0)))
                .containsEntry("seq", 1L);
        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("hello");
        assertThat(alice.contents(MessageType.ROOM_MESSAGE)).containsExactly("hello");
        assertThat(hub().queries().stats().totalMessages()).isEqualTo(1);
    }

    @Test
    void aRetryFromAnotherConnectionOfTheSameUserIsRecognised() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop3, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));
        aliceOnPhone.send(roomMessage("m-1", "general", "hello"));

        assertThat(data(aliceOnPhone.messages(MessageType.ACK).getFirst()))
                .isEqualTo(data(alice.messages(MessageType.ACK).getFirst()));
        assertThat(seqs(bob)).containsExactly(1L);
        assertThat(seqs(aliceOnPhone)).containsExactly(1L);
    }

    @Test
    void aRetryAfterReconnectingIsRecognised() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        alice.send(roomMessage("m-1", "general", "hello"));
        Map<String, Object> firstAck = data(alice.messages(MessageType.ACK).getFirst());
        alice.disconnect();
        clock.advance(Duration.ofSeconds(30));

        Client back = connect(loop3, "alice", "general");
        bob.clear();
        back.send(roomMessage("m-1", "general", "hello"));

        assertThat(data(back.messages(MessageType.ACK).getFirst())).isEqualTo(firstAck);
        assertThat(bob.messages(MessageType.ROOM_MESSAGE)).isEmpty();
        assertThat(back.messages(MessageType.ROOM_MESSAGE)).isEmpty();
    }

    @Test
    void theSameIdFromAnotherUserIsAnotherMessage() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "from alice"));
        bob.send(roomMessage("m-1", "general", "from bob"));

        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("from alice", "from bob");
        assertThat(data(bob.messages(MessageType.ACK).getFirst())).containsEntry("seq", 2L)
                .containsEntry("id", bob.messages(MessageType.ROOM_MESSAGE).get(1).id());
    }

    @Test
    void aRefusedMessageIsNotRememberedSoItsRetryAfterJoiningIsDelivered() {
        Client alice = connect(loop1, "alice", "support");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));
        assertError(alice.singleError(), "not_member", "m-1");
        assertThat(alice.messages(MessageType.ACK)).isEmpty();

        alice.send(joinRoom(null, "general"));
        alice.send(roomMessage("m-1", "general", "hello"));

        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("hello");
        assertThat(data(alice.messages(MessageType.ACK).getFirst())).containsEntry("ref", "m-1")
                .containsEntry("seq", 1L);
    }

    @Test
    void restPublishWithTheSameIdTwiceAnswersTheSamePublishedAndDeliversOnce() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        Published first = hub().publish(alice.identity, roomMessage("api-1", "general", "hello")).join();
        clock.advance(Duration.ofSeconds(5));
        Published retry = hub().publish(alice.identity, roomMessage("api-1", "general", "hello")).join();
        syncAll();

        assertThat(retry).isEqualTo(first);
        assertThat(first.seq()).isEqualTo(1L);
        assertThat(first.timestamp()).isEqualTo(START);
        assertThat(bob.messages(MessageType.ROOM_MESSAGE)).singleElement()
                .satisfies(received -> assertThat(received.id()).isEqualTo(first.id()));
    }

    @Test
    void restAndTheSocketShareTheLedgerOfAUser() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        Published viaRest = hub().publish(alice.identity, roomMessage("m-1", "general", "hello")).join();
        alice.send(roomMessage("m-1", "general", "hello"));

        assertThat(data(alice.messages(MessageType.ACK).getFirst())).containsEntry("id", viaRest.id())
                .containsEntry("seq", viaRest.seq());
        assertThat(seqs(bob)).containsExactly(1L);
    }

    @Test
    void withADedupWindowOfZeroARetryIsDeliveredAgain() {
        configure(settings -> settings.dedupWindow = Duration.ZERO);
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "hello"));
        alice.send(roomMessage("m-1", "general", "hello"));

        assertThat(seqs(bob)).containsExactly(1L, 2L);
        assertThat(alice.messages(MessageType.ACK)).extracting(ack -> data(ack).get("seq")).containsExactly(1L, 2L);
    }

    @Test
    void anIdIsRecognisedForOneWindowAndForgottenAfterTwoEvenOnAQuietServer() {
        Duration window = Duration.ofMinutes(2);
        configure(settings -> settings.dedupWindow = window);
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(roomMessage("m-1", "general", "first"));
        clock.set(START.plus(window));
        alice.send(roomMessage("m-1", "general", "retry"));
        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).as("one window later: a retry").containsExactly("first");

        alice.send(roomMessage("m-2", "general", "second"));
        clock.set(START.plus(window.multipliedBy(4)));
        alice.send(roomMessage("m-2", "general", "same id, hours later"));

        assertThat(bob.contents(MessageType.ROOM_MESSAGE)).containsExactly("first", "second", "same id, hours later");
    }
}
