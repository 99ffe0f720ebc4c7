package dev.relay.core.history;

import dev.relay.core.protocol.ServerMessage;

import java.util.List;
import java.util.Optional;

/**
 * The recent messages of every room, by stream position, so a client that reconnects can get what it missed.
 * The in-memory store is the default; persistent and shared stores implement the same contract.
 */
public interface HistoryStore {
    /**
     * Records a room message that carries its {@code seq} and {@code epoch}. The hub calls it under the room's
     * publish lock, so a room's messages arrive in seq order; it must not block for long.
     */
    void append(ServerMessage message);

    /**
     * The room's messages with {@code after < seq <= upTo}, oldest first, or empty when the store cannot give all of
     * them (another epoch, or the oldest of them has been dropped by size or age). Never a partial range. Also
     * called under the room's lock (a resume fixes its boundary there), so it must answer from memory or a cache:
     * a slow store here stalls the room's publishers.
     */
    Optional<List<ServerMessage>> range(String roomId, String epoch, long after, long upTo);

    /** Where a room's stream stood when this store last saw it, so a store that survives restarts can continue it. */
    Optional<StreamPosition> lastPosition(String roomId);

    /**
     * Replaces the content and data of the kept message with {@code update.id()} in {@code update.roomId()} (a
     * {@code message_update}); its position, sender and timestamp stay. False when the message is not kept (any
     * more). Called under the room's lock, like {@link #append}.
     */
    boolean update(ServerMessage update);

    /** Drops everything of a room that no longer exists. */
    void forget(String roomId);
}
