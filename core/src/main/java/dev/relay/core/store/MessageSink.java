package dev.relay.core.store;

import dev.relay.core.protocol.ServerMessage;

import java.util.concurrent.CompletableFuture;

/**
 * Where the hub hands every accepted room and private message to be kept. The hub asks {@link #checkCapacity()}
 * before a message takes its place in a stream, so a refusal leaves no gap in the room's {@code seq}; the future
 * {@link #accepted} returns is what the sender's ack waits for.
 */
public interface MessageSink {
    /** Keeps nothing; every ack goes out at once. */
    MessageSink NONE = message -> null;

    /**
     * Throws a {@link dev.relay.core.protocol.ProtocolException} when another message cannot be taken now (the
     * message is refused before anything else happens to it).
     */
    default void checkCapacity() {
    }

    /**
     * Takes an accepted message, with its {@code seq} for a room message. Returns null when the ack need not wait,
     * or a future that completes once the message is kept (failing with a {@code ProtocolException} to refuse the
     * ack). Called on the publishing thread: must not block.
     */
    CompletableFuture<Void> accepted(ServerMessage message);

    /**
     * Replaces the content and data of the kept room or private message {@code update.id()} with the
     * {@code message_update}'s; nothing when it is not kept. Only updates meant to last reach it (a streaming answer's
     * final text, not each step). Queued behind the messages accepted before it; must not block.
     */
    default void updated(ServerMessage update) {
    }
}
