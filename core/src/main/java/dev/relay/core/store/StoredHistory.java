package dev.relay.core.store;

import dev.relay.core.history.HistoryStore;
import dev.relay.core.history.MemoryHistoryStore;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ServerMessage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resume history of a server with a {@link MessageStore}: the in-memory cache answers under the room's lock as
 * always, and is warmed at startup with each room's newest messages from the store, which also says where each
 * room's stream stood, so a room continues its epoch and seq after a restart and clients resume across it. The
 * store itself is written by the hub's sink, not here.
 */
public final class StoredHistory implements HistoryStore {
    private final MemoryHistoryStore cache;
    private final ConcurrentHashMap<String, StreamPosition> lastRun;

    private StoredHistory(MemoryHistoryStore cache, Map<String, StreamPosition> lastRun) {
        this.cache = cache;
        this.lastRun = new ConcurrentHashMap<>(lastRun);
    }

    /** Reads the store (blocking: call at startup, before the hub exists) and warms the cache with up to
     * {@code perRoom} messages of each room. */
    public static StoredHistory warmed(MemoryHistoryStore cache, MessageStore store, int perRoom) {
        Map<String, StreamPosition> positions = store.lastPositions();
        if (perRoom > 0) {
            positions.forEach((roomId, position) -> store.recent(roomId, position.epoch(), perRoom)
                    .forEach(cache::append));
        }
        return new StoredHistory(cache, positions);
    }

    /** Where each room the store kept messages of stood at startup (rooms forgotten since left out). */
    public Map<String, StreamPosition> lastRun() {
        return Map.copyOf(lastRun);
    }

    @Override
    public void append(ServerMessage message) {
        cache.append(message);
    }

    @Override
    public Optional<List<ServerMessage>> range(String roomId, String epoch, long after, long upTo) {
        return cache.range(roomId, epoch, after, upTo);
    }

    @Override
    public boolean update(ServerMessage update) {
        return cache.update(update); // the store itself is updated by the hub's sink (MessageSink#updated)
    }

    @Override
    public Optional<StreamPosition> lastPosition(String roomId) {
        return Optional.ofNullable(lastRun.get(roomId));
    }

    @Override
    public void forget(String roomId) {
        lastRun.remove(roomId); // a room created again under this id starts a new epoch
        cache.forget(roomId);
    }
}
