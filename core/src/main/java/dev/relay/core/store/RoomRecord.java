package dev.relay.core.store;

import java.util.Set;

/**
 * A room created at runtime, as a store keeps it so it exists again after a restart.
 *
 * @param allowed who may enter a private room (its members and creator); null for a public room
 */
public record RoomRecord(String id, String name, String description, Set<String> allowed) {
    public RoomRecord {
        allowed = allowed == null ? null : Set.copyOf(allowed);
    }
}
