package dev.relay.server.websocket;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Concurrent connections per key (a user id, a client address) against a limit; 0 means no limit. A key's entry
 * disappears when its last slot is released, so the map holds only keys with live connections.
 */
final class KeyedSlots {
    private final int max;
    private final Map<String, Integer> used = new ConcurrentHashMap<>();

    KeyedSlots(int max) {
        this.max = max;
    }

    boolean tryAcquire(String key) {
        if (max == 0) {
            return true;
        }
        boolean[] taken = {false};
        used.compute(key, (k, count) -> {
            int current = count == null ? 0 : count;
            if (current >= max) {
                return count;
            }
            taken[0] = true;
            return current + 1;
        });
        return taken[0];
    }

    void release(String key) {
        if (max != 0) {
            used.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
        }
    }

    int max() {
        return max;
    }
}
