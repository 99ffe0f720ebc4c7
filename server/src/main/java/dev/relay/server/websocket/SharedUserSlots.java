package dev.relay.server.websocket;

import java.util.concurrent.CompletableFuture;

/**
 * A user's connections counted across every node of a cluster against {@code max_connections_per_user}, checked
 * after this node's own count. Both methods are non-blocking.
 */
public interface SharedUserSlots {
    /** A single node: its own count is the whole count. */
    SharedUserSlots NONE = new SharedUserSlots() {
        @Override
        public CompletableFuture<Boolean> tryAcquire(String userId, String connectionId) {
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public void release(String userId, String connectionId) {
        }
    };

    /** Completes with false when the user has the most connections allowed already; may fail (shared store away). */
    CompletableFuture<Boolean> tryAcquire(String userId, String connectionId);

    /** Gives a connection's slot back; harmless for a slot that was never taken. */
    void release(String userId, String connectionId);
}
