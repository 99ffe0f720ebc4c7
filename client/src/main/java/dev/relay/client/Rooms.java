package dev.relay.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The rooms the application has joined, each with the last position of its stream the application was given. The
 * position is what a reconnect resumes from, and what keeps a message from being handed over twice. Touched only on
 * the client's scheduler.
 */
final class Rooms {
    private final Map<String, Room> rooms = new LinkedHashMap<>();

    static final class Room {
        final String id;
        /** Null until the server has told us where the stream stands. */
        String epoch;
        long seq;
        /** In this room on the current connection (false between connections). */
        boolean joined;
        final List<CompletableFuture<Void>> waiters = new ArrayList<>();

        Room(String id) {
            this.id = id;
        }

        boolean hasPosition() {
            return epoch != null;
        }

        void joined() {
            joined = true;
            waiters.forEach(waiter -> waiter.complete(null));
            waiters.clear();
        }

        void fail(Throwable error) {
            waiters.forEach(waiter -> waiter.completeExceptionally(error));
            waiters.clear();
        }
    }

    Room get(String id) {
        return rooms.get(id);
    }

    Room add(String id) {
        return rooms.computeIfAbsent(id, Room::new);
    }

    Room remove(String id) {
        return rooms.remove(id);
    }

    Collection<Room> all() {
        return rooms.values();
    }

    /** The room to open the next connection in: the preferred one if still joined, else any joined one. */
    String connectRoom(String preferred) {
        if (rooms.containsKey(preferred) || rooms.isEmpty()) {
            return preferred;
        }
        return rooms.keySet().iterator().next();
    }

    void disconnected() {
        rooms.values().forEach(room -> room.joined = false);
    }

    /**
     * Records a room message's position and says whether the application has not had it yet. A replay after a
     * reconnect may overlap what arrived before the drop; the seq within an epoch tells them apart.
     */
    boolean firstDelivery(String roomId, String epoch, long seq) {
        Room room = rooms.get(roomId);
        if (room == null || epoch == null || seq <= 0) {
            return true;
        }
        if (epoch.equals(room.epoch) && seq <= room.seq) {
            return false;
        }
        room.epoch = epoch;
        room.seq = seq;
        return true;
    }

    /** The server's word on where the room's stream stands after a join or resume. */
    void position(String roomId, String epoch, long seq, boolean recovered) {
        Room room = rooms.get(roomId);
        if (room == null) {
            return;
        }
        if (recovered && epoch.equals(room.epoch)) {
            room.seq = Math.max(room.seq, seq);
        } else {
            room.epoch = epoch;
            room.seq = seq;
        }
    }
}
