package dev.relay.core.room;

import java.time.Instant;

/**
 * Told of every change in a room's users, inside the room's lock, so changes arrive in the order the room made them.
 * Must not block: it runs on event loops, and the lock orders the room's stream.
 */
@FunctionalInterface
public interface MemberWatch {
    MemberWatch NONE = (room, userId, name, connections, entering, joinedAt) -> { };

    /**
     * The user now has {@code connections} connections in the room on this node (0: they left it here);
     * {@code entering} when a connection came in, false when one went.
     */
    void changed(Room room, String userId, String name, int connections, boolean entering, Instant joinedAt);
}
