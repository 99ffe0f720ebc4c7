package dev.relay.core.cluster;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ServerMessage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The shared room streams alone, without fan-out: for a {@link Broker} that carries messages between nodes over
 * something that keeps nothing and gives no order across publishers (NATS), so that it can place each room message
 * here first and read a room's stream and its rooms created at run time from here. The methods that {@link Broker}
 * also has mean exactly what they mean there.
 *
 * <p>Every method is non-blocking and safe from any thread except {@link #start}; futures fail with a
 * {@link dev.relay.core.protocol.ProtocolException} the hub can send to the client.
 */
public interface RoomStreams extends AutoCloseable {
    /**
     * Connects (blocking: at start, not on an event loop). {@code reconnected} runs, on the engine's threads, each
     * time the connection comes back after an outage, so the caller can have every room caught up.
     */
    void start(Runnable reconnected);

    /**
     * Gives the draft the room's next {@code seq} (under {@code proposedEpoch} if the stream does not exist yet) and
     * stores it, sending it nowhere. Completes with the message as placed; a non-null {@code retryKey} placed again
     * within the dedup window, by any node, completes with the first placement and is not stored twice.
     */
    CompletableFuture<ServerMessage> place(ServerMessage draft, String proposedEpoch, String retryKey);

    /** See {@link Broker#position}. */
    CompletableFuture<Optional<StreamPosition>> position(String roomId);

    /** See {@link Broker#recent}. */
    CompletableFuture<List<ServerMessage>> recent(String roomId, int limit);

    /** See {@link Broker#range}. */
    CompletableFuture<Optional<List<ServerMessage>>> range(String roomId, String epoch, long after, long upTo);

    /** See {@link Broker#claimRoom}. */
    CompletableFuture<Boolean> claimRoom(String roomId, String encoded);

    /** See {@link Broker#deleteRoom}. */
    CompletableFuture<Void> deleteRoom(String roomId);

    /** See {@link Broker#savedRooms}. */
    CompletableFuture<Map<String, String>> savedRooms();

    boolean isConnected();

    @Override
    void close();
}
