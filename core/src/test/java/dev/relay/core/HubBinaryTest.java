package dev.relay.core;

import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.testing.TestFrame;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** Binary frames: relayed to the other members of the sender's rooms, each connection once. */
class HubBinaryTest extends HubTestSupport {

    @Test
    void aBinaryFrameReachesTheOtherMembersOfAllTheSendersRoomsOnce() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(joinRoom(null, "support"));
        Client aliceOnPhone = connect(loop2, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "general");
        carol.send(joinRoom(null, "support"));
        Client dave = connect(loop1, "dave", "support");
        Client erin = connect(loop2, "erin", "announcements");
        clearAll();
        byte[] payload = {1, 2, 3, 42};

        alice.sendBinary(payload);

        for (Client other : List.of(aliceOnPhone, bob, carol, dave)) {
            assertThat(other.connection.received()).as(other.toString()).singleElement()
                    .isInstanceOfSatisfying(byte[].class, bytes -> assertThat(bytes).containsExactly(payload));
        }
        assertThat(alice.connection.received()).as("the sender is left out").isEmpty();
        assertThat(erin.connection.received()).isEmpty();

        HubStats stats = hub().queries().stats();
        assertThat(stats.totalMessages()).isEqualTo(1);
        assertThat(HubConnectionTest.room(stats, "general").messageCount()).isEqualTo(1);
        assertThat(HubConnectionTest.room(stats, "support").messageCount()).isEqualTo(1);
        assertThat(HubConnectionTest.room(stats, "announcements").messageCount()).isZero();
    }

    @Test
    void aSenderInNoRoomIsRefused() {
        Client alice = connect(loop1, "alice", "general");
        alice.send(leaveRoom(null, "general"));
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.sendBinary(new byte[] {7});

        assertError(alice.singleError(), "not_member", null);
        assertThat(bob.connection.received()).isEmpty();
        assertThat(alice.connection.closeReason()).isNull();
        assertThat(hub().queries().stats().totalMessages()).isZero();
    }

    /**
     * Leaving the sender out of a binary relay on another loop must not hide a later message from the sender on its
     * own loop. Each lane numbers its multi-audience deliveries (private messages, binary relays) on its own, and a
     * connection remembers the number of the last one written to it; a lane that marked the excluded sender, owned
     * by another lane, with its own number makes the sender's lane skip the sender once its numbering reaches that
     * number. The counts below line the two numberings up: a regression test for exactly that.
     */
    @Test
    void leavingTheSenderOutOnAnotherLoopDoesNotHideLaterMessagesFromIt() {
        Client alice = connect(loop1, "alice", "general");
        Client dave = connect(loop1, "dave", "support");
        Client bob = connect(loop2, "bob", "general");
        clearAll();
        Identity ghost = user("ghost"); // offline, so a private message has one audience: the recipient's
        int ahead = 3;
        for (int i = 0; i < ahead; i++) {
            hub().publish(ghost, privateMessage("bob", "to bob " + i)); // loop 2's numbering moves ahead
        }
        syncAll();
        // Relay a binary frame from alice; loop 1 writes its part first, so loop 2 marks alice last.
        CountDownLatch loop2Blocked = loop2.block();
        TestFrame frame = encoder.binary(new byte[] {9});
        loop1.run(() -> {
            try {
                hub().onBinary(alice.session, frame);
            } finally {
                frame.release();
            }
        });
        loop1.sync();
        loop2Blocked.countDown();
        syncAll();
        assertThat(bob.connection.binaries()).hasSize(1);
        // Loop 1's numbering catches up without touching alice, then a message for alice comes.
        for (int i = 0; i < ahead - 1; i++) {
            hub().publish(ghost, privateMessage("dave", "to dave " + i));
        }
        hub().publish(ghost, privateMessage("alice", "to alice"));
        syncAll();

        assertThat(dave.contents(MessageType.PRIVATE_MESSAGE)).hasSize(ahead - 1);
        assertThat(alice.contents(MessageType.PRIVATE_MESSAGE)).containsExactly("to alice");
    }
}
