package dev.relay.server.assistant;

import java.util.HashMap;
import java.util.Map;

/** {@code assistant_max_concurrent}: answers generated at once, per room and in total. */
final class Slots {
    private final int max;
    private final Map<String, Integer> perRoom = new HashMap<>(); // guarded by this
    private int total; // guarded by this

    Slots(int max) {
        this.max = max;
    }

    /** Takes a slot for an answer in {@code roomId} (null: a private question); false when either limit is full. */
    synchronized boolean take(String roomId) {
        if (total >= max || roomId != null && perRoom.getOrDefault(roomId, 0) >= max) {
            return false;
        }
        total++;
        if (roomId != null) {
            perRoom.merge(roomId, 1, Integer::sum);
        }
        return true;
    }

    synchronized void give(String roomId) {
        total--;
        if (roomId != null) {
            perRoom.computeIfPresent(roomId, (id, n) -> n == 1 ? null : n - 1);
        }
    }

    synchronized int active() {
        return total;
    }

    int max() {
        return max;
    }
}
