package dev.relay.core;

import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.session.UserStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Chosen statuses, automatic away after inactivity, and the presence events that tell rooms about them. */
class HubStatusTest extends HubTestSupport {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aChosenStatusIsAnsweredAndAnnouncedOnceInEveryRoomOfTheUser() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop2, "alice", "support");
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop3, "carol", "support");
        Client erin = connect(loop3, "erin", "general");
        erin.send(joinRoom(null, "support"));
        Client dave = connect(loop1, "dave", "announcements");
        clearAll();

        alice.send(status("s-1", "away"));

        assertThat(alice.messages(MessageType.STATUS)).singleElement().satisfies(reply -> {
            assertThat(data(reply)).containsEntry("status", "away").containsEntry("ref", "s-1");
            assertThat(reply.roomId()).isNull();
        });
        assertThat(aliceOnPhone.messages(MessageType.STATUS)).as("the reply goes to the asking connection").isEmpty();
        assertPresence(bob, "general", "alice", "away");
        assertPresence(carol, "support", "alice", "away");
        assertPresence(alice, "general", "alice", "away");
        assertPresence(aliceOnPhone, "support", "alice", "away");
        assertThat(erin.messages(MessageType.PRESENCE)).extracting(ServerMessage::roomId)
                .containsExactlyInAnyOrder("general", "support");
        assertThat(dave.messages()).isEmpty();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.AWAY);

        clearAll();
        aliceOnPhone.send(status(null, "busy"));
        assertPresence(bob, "general", "alice", "busy");
        assertThat(data(aliceOnPhone.messages(MessageType.STATUS).getFirst())).containsOnlyKeys("status")
                .containsEntry("status", "busy");

        clearAll();
        alice.send(status("s-3", "online"));
        assertPresence(carol, "support", "alice", "online");
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
    }

    @Test
    void choosingTheCurrentStatusAgainIsAnsweredButNotAnnounced() {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        alice.send(status(null, "busy"));
        clearAll();

        alice.send(status("s-2", "busy"));
        alice.send(status("s-3", "busy"));

        assertThat(alice.messages(MessageType.STATUS)).hasSize(2);
        assertThat(bob.messages()).isEmpty();
    }

    @ParameterizedTest(name = "status {0}")
    @NullSource
    @ValueSource(strings = {"offline", "sleepy", "Away", ""})
    void anUnknownOrUnchoosableStatusIsRefused(String wanted) {
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(status("s-1", wanted));

        assertError(alice.singleError(), "invalid_field", "s-1");
        assertThat(alice.messages(MessageType.STATUS)).isEmpty();
        assertThat(bob.messages()).isEmpty();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
    }

    @Test
    void anIdleUserTurnsAwayAtTheTimeoutAndNotAMillisecondBefore() {
        configure(settings -> settings.userStatusTimeout = TIMEOUT);
        Client alice = connect(loop1, "alice", "general");
        clock.advance(Duration.ofSeconds(10));
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        clock.set(START.plus(TIMEOUT).minusMillis(1));
        assertThat(hub().admin().sweepIdleUsers().join()).isZero();
        syncAll();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
        assertThat(bob.messages()).isEmpty();

        clock.set(START.plus(TIMEOUT));
        assertThat(hub().admin().sweepIdleUsers().join()).isEqualTo(1);
        syncAll();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.AWAY);
        assertThat(hub().queries().user("bob").status()).isEqualTo(UserStatus.ONLINE);
        assertPresence(bob, "general", "alice", "away");
        assertThat(hub().admin().sweepIdleUsers().join()).as("already away").isZero();

        clock.set(START.plusSeconds(10).plus(TIMEOUT));
        assertThat(hub().admin().sweepIdleUsers().join()).isEqualTo(1);
        assertThat(hub().queries().user("bob").status()).isEqualTo(UserStatus.AWAY);
    }

    @Test
    void sendingAnythingButAPingBringsAnAutomaticallyAwayUserBack() {
        configure(settings -> settings.userStatusTimeout = TIMEOUT);
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clock.advance(TIMEOUT);
        hub().admin().sweepIdleUsers().join();
        clearAll();

        alice.send(message(MessageType.PING, "p", null, null, null, null));
        assertThat(hub().queries().user("alice").status()).as("a ping is not activity").isEqualTo(UserStatus.AWAY);
        assertThat(bob.messages()).isEmpty();

        alice.send(roomMessage("general", "back"));

        assertThat(bob.types()).containsExactly(MessageType.PRESENCE, MessageType.ROOM_MESSAGE);
        assertPresence(bob, "general", "alice", "online");
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
        clock.advance(TIMEOUT.minusMillis(1));
        assertThat(hub().admin().sweepIdleUsers().join()).as("the message reset the idle clock; bob is away already").isZero();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
        clock.advance(Duration.ofMillis(1));
        assertThat(hub().admin().sweepIdleUsers().join()).isEqualTo(1);
    }

    @Test
    void aChosenAwayOrBusyIsChangedNeitherByActivityNorByTheSweep() {
        configure(settings -> settings.userStatusTimeout = TIMEOUT);
        Client alice = connect(loop1, "alice", "general");
        Client carol = connect(loop3, "carol", "general");
        Client bob = connect(loop2, "bob", "general");
        alice.send(status(null, "busy"));
        carol.send(status(null, "away"));
        clearAll();

        clock.advance(TIMEOUT.multipliedBy(3));
        assertThat(hub().admin().sweepIdleUsers().join()).as("bob only").isEqualTo(1);
        alice.send(roomMessage("general", "busy but talking"));
        carol.send(roomMessage("general", "away but talking"));

        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.BUSY);
        assertThat(hub().queries().user("carol").status()).isEqualTo(UserStatus.AWAY);
        assertThat(bob.messages(MessageType.PRESENCE)).extracting(m -> data(m).get("user_id")).containsOnly("bob");
    }

    @Test
    void choosingOnlineHandsTheStatusBackToIdleDetection() {
        configure(settings -> settings.userStatusTimeout = TIMEOUT);
        Client alice = connect(loop1, "alice", "general");
        alice.send(status(null, "away"));
        alice.send(status(null, "online"));

        clock.advance(TIMEOUT);

        assertThat(hub().admin().sweepIdleUsers().join()).isEqualTo(1);
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.AWAY);
        alice.send(roomMessage("general", "back"));
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
    }

    @Test
    void withUserStatusOffTheSweepChangesNobody() {
        configure(settings -> {
            settings.enableUserStatus = false;
            settings.userStatusTimeout = TIMEOUT;
        });
        connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        clock.advance(TIMEOUT.multipliedBy(100));

        assertThat(hub().admin().sweepIdleUsers().join()).isZero();
        syncAll();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
        assertThat(bob.messages()).isEmpty();
    }

    @Test
    void withUserPresenceOffStatusesChangeButNoRoomHearsOfIt() {
        configure(settings -> {
            settings.enableUserPresence = false;
            settings.userStatusTimeout = TIMEOUT;
        });
        Client alice = connect(loop1, "alice", "general");
        Client bob = connect(loop2, "bob", "general");
        clearAll();

        alice.send(status("s-1", "busy"));
        clock.advance(TIMEOUT);
        assertThat(hub().admin().sweepIdleUsers().join()).isEqualTo(1);
        alice.disconnect();

        assertThat(data(alice.messages(MessageType.STATUS).getFirst())).containsEntry("status", "busy");
        assertThat(hub().queries().user("bob").status()).isEqualTo(UserStatus.AWAY);
        assertThat(bob.messages()).isEmpty();
    }

    @Test
    void theLastConnectionClosingTellsTheRoomsUserLeftThenOffline() {
        Client alice = connect(loop1, "alice", "general");
        Client aliceOnPhone = connect(loop3, "alice", "general");
        aliceOnPhone.send(joinRoom(null, "support"));
        Client bob = connect(loop2, "bob", "general");
        Client carol = connect(loop2, "carol", "support");
        clearAll();

        alice.disconnect();
        assertThat(bob.messages()).as("alice is still here on her phone").isEmpty();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);

        aliceOnPhone.disconnect();

        for (Client member : List.of(bob, carol)) {
            assertThat(member.types()).as(member.toString()).containsExactly(MessageType.USER_LEFT, MessageType.PRESENCE);
            assertThat(data(member.messages(MessageType.USER_LEFT).getFirst())).containsEntry("user_id", "alice");
        }
        assertPresence(bob, "general", "alice", "offline");
        assertPresence(carol, "support", "alice", "offline");
        assertThat(aliceOnPhone.messages()).as("nothing is written to the closing connection").isEmpty();
        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.OFFLINE);
    }

    /** The client received exactly one presence event, for that room, user and status. */
    static void assertPresence(Client client, String roomId, String userId, String status) {
        assertThat(client.messages(MessageType.PRESENCE)).as("presence received by " + client).singleElement()
                .satisfies(presence -> {
                    assertThat(presence.roomId()).isEqualTo(roomId);
                    assertThat(data(presence)).containsEntry("user_id", userId).containsEntry("status", status);
                    assertThat(presence.seq()).as("events are not part of the stream").isNull();
                });
    }
}
