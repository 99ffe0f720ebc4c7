package dev.relay.core.store;

import dev.relay.core.protocol.ServerMessage;

import java.util.concurrent.CompletableFuture;

/**
 * Private messages held for users with no live connection, handed over when they next connect. Both methods are
 * called on event loops and must not block.
 */
public interface OfflineMessages {
    /** False when nothing is held: a private message to a user with no live connection is refused. */
    default boolean enabled() {
        return true;
    }

    /**
     * Holds a private message for its recipient ({@link ServerMessage#to()}). Returns null when the ack need not
     * wait, or a future that completes once the message is kept.
     */
    CompletableFuture<Void> hold(ServerMessage message);

    /**
     * Takes what is held for a user, oldest first, with how many older messages were dropped over the bound; what
     * it returns is no longer held.
     */
    CompletableFuture<OfflineDelivery> release(String userId);

    /** Lets go of what expired; called periodically, off the event loops. Holders that expire on their own ignore it. */
    default void sweep() {
    }

    /** What is held and what was let go, for stats; {@link OfflineStats#NONE} from holders that do not count. */
    default OfflineStats stats() {
        return OfflineStats.NONE;
    }
}
