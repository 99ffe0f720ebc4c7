package dev.relay.server.websocket;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts WebSocket connections against max_connections; a slot is taken before the upgrade, freed on close. */
final class ConnectionSlots {
    private final int max;
    private final AtomicInteger used = new AtomicInteger();

    ConnectionSlots(int max) {
        this.max = max;
    }

    boolean tryAcquire() {
        while (true) {
            int current = used.get();
            if (current >= max) {
                return false;
            }
            if (used.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void release() {
        used.decrementAndGet();
    }

    int max() {
        return max;
    }
}
