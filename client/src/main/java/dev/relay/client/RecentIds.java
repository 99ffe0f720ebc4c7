package dev.relay.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of the last private messages and broadcasts delivered: they have no seq, so a copy the server sends again (a
 * retry through another connection) is recognised by id instead. Bounded; touched only on the client's scheduler.
 */
final class RecentIds {
    private final Map<String, Boolean> ids;

    RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether this is the first time the id is seen (a message without an id always is). */
    boolean firstTime(String id) {
        return id == null || ids.put(id, Boolean.TRUE) == null;
    }
}
