package dev.relay.core.history;

import dev.relay.core.protocol.ServerMessage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * History in memory: per room, the last {@code maxPerRoom} messages younger than {@code ttl}. Nothing survives a
 * restart, so rooms start a new epoch each time the process does.
 */
public final class MemoryHistoryStore implements HistoryStore {
    private final int maxPerRoom;
    private final Duration ttl;
    private final Clock clock;
    private final ConcurrentHashMap<String, RoomLog> rooms = new ConcurrentHashMap<>();

    /** One room's messages; guarded by its own monitor (appends come under the room's lock, reads from anywhere). */
    private static final class RoomLog {
        final ArrayDeque<ServerMessage> messages = new ArrayDeque<>();
    }

    /**
     * @param maxPerRoom messages kept per room; 0 keeps none (resume then always reports a gap)
     * @param ttl        how long a message is kept
     */
    public MemoryHistoryStore(int maxPerRoom, Duration ttl, Clock clock) {
        if (maxPerRoom < 0 || ttl.isNegative()) {
            throw new IllegalArgumentException("maxPerRoom and ttl must not be negative");
        }
        this.maxPerRoom = maxPerRoom;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public void append(ServerMessage message) {
        if (maxPerRoom == 0) {
            return;
        }
        RoomLog log = rooms.computeIfAbsent(message.roomId(), id -> new RoomLog());
        synchronized (log) {
            log.messages.addLast(message);
            while (log.messages.size() > maxPerRoom) {
                log.messages.removeFirst();
            }
            expire(log);
        }
    }

    @Override
    public Optional<List<ServerMessage>> range(String roomId, String epoch, long after, long upTo) {
        if (upTo <= after) {
            return Optional.of(List.of());
        }
        RoomLog log = rooms.get(roomId);
        if (log == null) {
            return Optional.empty();
        }
        synchronized (log) {
            expire(log);
            ServerMessage oldest = log.messages.peekFirst();
            if (oldest == null || !epoch.equals(oldest.epoch()) || oldest.seq() > after + 1) {
                return Optional.empty();
            }
            List<ServerMessage> found = new ArrayList<>((int) Math.min(upTo - after, log.messages.size()));
            for (ServerMessage message : log.messages) {
                long seq = message.seq();
                if (seq > upTo) {
                    break;
                }
                if (seq > after) {
                    found.add(message);
                }
            }
            // A hole would mean the store lost something in the middle: report a gap rather than a partial replay.
            return found.size() == upTo - after ? Optional.of(found) : Optional.empty();
        }
    }

    @Override
    public boolean update(ServerMessage update) {
        RoomLog log = rooms.get(update.roomId());
        if (log == null) {
            return false;
        }
        synchronized (log) {
            // Newest first: what is updated is almost always a message just sent (a streaming answer).
            var it = log.messages.descendingIterator();
            while (it.hasNext()) {
                ServerMessage kept = it.next();
                if (kept.id() != null && kept.id().equals(update.id())) {
                    ServerMessage replaced = new ServerMessage(kept.id(), kept.type(), kept.from(), kept.to(),
                            kept.roomId(), update.content(), update.data(), kept.timestamp(), kept.seq(),
                            kept.epoch());
                    replaceInPlace(log.messages, kept, replaced);
                    return true;
                }
            }
            return false;
        }
    }

    /** ArrayDeque has no set(i): rebuilt around the one element, which keeps the order (a room's log is short). */
    private static void replaceInPlace(ArrayDeque<ServerMessage> messages, ServerMessage old,
                                       ServerMessage replacement) {
        ArrayDeque<ServerMessage> copy = new ArrayDeque<>(messages.size());
        for (ServerMessage message : messages) {
            copy.addLast(message == old ? replacement : message);
        }
        messages.clear();
        messages.addAll(copy);
    }

    /** The rooms with anything kept. */
    public List<String> roomIds() {
        return List.copyOf(rooms.keySet());
    }

    /** What is kept of a room now, oldest first. */
    public List<ServerMessage> snapshot(String roomId) {
        RoomLog log = rooms.get(roomId);
        if (log == null) {
            return List.of();
        }
        synchronized (log) {
            expire(log);
            return new ArrayList<>(log.messages);
        }
    }

    @Override
    public Optional<StreamPosition> lastPosition(String roomId) {
        return Optional.empty(); // memory does not outlive the process, so every start is a new epoch
    }

    @Override
    public void forget(String roomId) {
        rooms.remove(roomId);
    }

    private void expire(RoomLog log) {
        Instant oldestKept = clock.instant().minus(ttl);
        Iterator<ServerMessage> it = log.messages.iterator();
        while (it.hasNext() && it.next().timestamp().isBefore(oldestKept)) {
            it.remove();
        }
    }
}
