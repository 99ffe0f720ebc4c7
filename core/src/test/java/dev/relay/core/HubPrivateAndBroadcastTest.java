package dev.relay.core;

import dev.relay.core.protocol.MessageType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Private messages to a user's connections and broadcasts to every connection. */
class HubPrivateAndBroadcastTest extends HubTestSupport {

    @Test
    void aPrivateMessageReachesEveryConnectionOfTheRecipientAndOfTheSender() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop2, "alice", "support");
        Client bob = connect(loop2, "bob", "general");
        Client bobOnPhone = connect(loop3, "bob", "announcements");
        Client carol = connect(loop3, "carol", "general");
        Client carolOnLoop1 = connect(loop1, "carol", "general");
        clearAll();

        alice.send(message(MessageType.PRIVATE_MESSAGE, "pm-1", "psst", null, "bob", null));

        assertThat(alice.messages(MessageType.ACK)).singleElement()
                .satisfies(ack -> assertThat(data(ack)).containsEntry("ref", "pm-1").doesNotContainKey("seq"));
        for (Client party : List.of(alice, aliceOnPhone, bob, bobOnPhone)) {
            assertThat(party.messages(MessageType.PRIVATE_MESSAGE)).as(party.toString()).singleElement().satisfies(received -> {
                assertThat(received.type()).isEqualTo(MessageType.PRIVATE_MESSAGE);
                assertThat(received.from()).isEqualTo("alice");
                assertThat(received.to()).isEqualTo("bob");
                assertThat(received.roomId()).isNull();
                assertThat(received.content()).isEqualTo("psst");
                assertThat(received.id()).hasSize(20);
            });
        }
        assertThat(carol.messages()).isEmpty();
        assertThat(carolOnLoop1.messages()).isEmpty();
        assertThat(hub().queries().stats().totalMessages()).isEqualTo(1);
    }

    @Test
    void aPrivateMessageToYourselfArrivesOncePerConnection() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceAgain = connect(loop1, "alice", "support");
        Client aliceElsewhere = connect(loop2, "alice", "general");
        Client bob = connect(loop3, "bob", "general");
        clearAll();

        alice.send(privateMessage("alice", "note to self"));

        for (Client own : List.of(alice, aliceAgain, aliceElsewhere)) {
            assertThat(own.contents(MessageType.PRIVATE_MESSAGE)).as(own.toString()).containsExactly("note to self");
        }
        assertThat(bob.messages()).isEmpty();
    }

    @Test
    void aPrivateMessageToAnOfflineUserIsHeldAndAckedAsStoredOffline() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        bob.disconnect();
        alice.clear();

        alice.send(message(MessageType.PRIVATE_MESSAGE, "pm-2", "hello?", null, "bob", null));

        assertThat(alice.errors()).isEmpty();
        assertThat(data(alice.messages(MessageType.ACK).getFirst())).containsEntry("ref", "pm-2")
                .containsEntry("stored_offline", true);
        assertThat(bob.messages(MessageType.PRIVATE_MESSAGE)).isEmpty();
    }

    @Test
    void aPrivateMessageNeedsARecipientAndABody() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(message(MessageType.PRIVATE_MESSAGE, "no-to", "hi", null, null, null));
        assertError(alice.singleError(), "missing_field", "no-to");
        alice.clear();
        alice.send(message(MessageType.PRIVATE_MESSAGE, "empty-to", "hi", null, "", null));
        assertError(alice.singleError(), "missing_field", "empty-to");
        alice.clear();
        alice.send(message(MessageType.PRIVATE_MESSAGE, "no-body", "", null, "bob", null));
        assertError(alice.singleError(), "missing_field", "no-body");

        assertThat(bob.messages()).isEmpty();
    }

    @Test
    void privateMessagesCanBeTurnedOff() {
        configure(settings -> settings.enablePrivateMessaging = false);
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(message(MessageType.PRIVATE_MESSAGE, "pm", "hi", null, "bob", null));

        assertError(alice.singleError(), "feature_disabled", "pm");
        assertThat(bob.messages()).isEmpty();
    }

    @Test
    void anAdminBroadcastReachesEveryConnectionOnce() {
        Client admin = connect(loop1, admin("root"), "general");
        Client alice = connect(loop1, "alice", "general");
        Client aliceAgain = connect(loop2, "alice", "general");
        Client bob = connect(loop2, "bob", "support");
        Client carol = connect(loop3, "carol", "announcements");
        carol.send(joinRoom(null, "general"));
        Client loner = connect(loop3, "dave", "support");
        loner.send(leaveRoom(null, "support"));
        clearAll();

        admin.send(message(MessageType.BROADCAST, "b-1", "maintenance at noon", null, null, null));

        assertThat(admin.messages(MessageType.ACK)).singleElement()
                .satisfies(ack -> assertThat(data(ack)).containsEntry("ref", "b-1"));
        for (Client anyone : List.of(admin, alice, aliceAgain, bob, carol, loner)) {
            assertThat(anyone.messages(MessageType.BROADCAST)).as(anyone.toString()).singleElement().satisfies(received -> {
                assertThat(received.type()).isEqualTo(MessageType.BROADCAST);
                assertThat(received.from()).isEqualTo("root");
                assertThat(received.content()).isEqualTo("maintenance at noon");
                assertThat(received.roomId()).isNull();
            });
        }
        assertThat(hub().queries().stats().totalMessages()).isEqualTo(1);
    }

    @Test
    void onlyAdminsMayBroadcast() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(message(MessageType.BROADCAST, "b", "everyone listen", null, null, null));

        assertError(alice.singleError(), "forbidden", "b");
        assertThat(bob.messages()).isEmpty();
    }

    @Test
    void broadcastsCanBeTurnedOffEvenForAdmins() {
        configure(settings -> settings.enableMessageBroadcast = false);
        Client admin = connect(loop1, admin("root"), "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        admin.send(message(MessageType.BROADCAST, "b", "everyone listen", null, null, null));

        assertError(admin.singleError(), "feature_disabled", "b");
        assertThat(bob.messages()).isEmpty();
    }
}
