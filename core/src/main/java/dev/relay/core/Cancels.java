package dev.relay.core;

import dev.relay.core.identity.Identity;

/**
 * What stops work running in the server on a user's behalf (the assistant generating a reply) when a client sends
 * {@code {"type":"cancel","data":{"id":"<reply id>"}}}. Given to the hub when it is built; {@link #NONE} when nothing
 * in the server can be cancelled.
 */
@FunctionalInterface
public interface Cancels {
    /** Nothing can be cancelled here. */
    Cancels NONE = (who, replyId) -> false;

    /**
     * Stops the work that produces {@code replyId}, if it runs on this node: true when it did (or when it was already
     * ending). Throws a {@link dev.relay.core.protocol.ProtocolException} ({@code forbidden}) when the work is here but
     * {@code who} may not stop it. Must not block: called on an event loop or an engine's thread.
     */
    boolean cancel(Identity who, String replyId);
}
