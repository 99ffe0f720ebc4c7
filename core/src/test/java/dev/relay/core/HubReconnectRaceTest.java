package dev.relay.core;

import dev.relay.core.protocol.MessageType;
import dev.relay.core.session.UserStatus;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user connecting again while their last connection is still being taken down on another loop (a reconnect that
 * overtakes the old socket's close): the user stays online, in the rooms the new connection is in, and the rooms
 * keep hearing about them.
 */
class HubReconnectRaceTest extends HubTestSupport {

    @Test
    void aConnectOverlappingTheLastDisconnectLeavesTheUserOnlineAndInTheirRooms() throws Exception {
        Client bob = connect(loop2, "bob", "general");
        connect(loop2, "carol", "support");
        Client old = connect(loop1, "alice", "support");
        old.send(joinRoom(null, "general")); // old is in support, then general
        clearAll();

        // Hold the old connection's disconnect on loop 1 while it announces leaving support, the first room it
        // leaves, and connect again on loop 3 meanwhile. General still has the old connection at that point.
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        encoder.beforeEncoding(message -> {
            if (loop1.inLoop() && MessageType.USER_LEFT.equals(message.type()) && "support".equals(message.roomId())) {
                holding.countDown();
                await(release);
            }
        });
        loop1.execute(() -> hub().disconnect(old.session));
        assertThat(holding.await(10, TimeUnit.SECONDS)).as("the disconnect reached the user_left of support").isTrue();
        Client back = connectAsync(loop3, user("alice"), "general", null).join();
        release.countDown();
        encoder.beforeEncoding(message -> { });
        syncAll();

        assertThat(hub().queries().user("alice").status()).isEqualTo(UserStatus.ONLINE);
        assertThat(hub().queries().user("alice").connections()).isEqualTo(1);
        assertThat(hub().queries().user("alice").rooms()).containsExactly("general");
        assertThat(bob.messages(MessageType.PRESENCE)).as("general must not hear that alice went offline").isEmpty();
        assertThat(bob.messages(MessageType.USER_LEFT)).as("alice never left general").isEmpty();

        bob.clear();
        back.send(status(null, "busy"));
        HubStatusTest.assertPresence(bob, "general", "alice", "busy");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
