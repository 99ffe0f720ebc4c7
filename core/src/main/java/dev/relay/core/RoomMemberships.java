package dev.relay.core;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rooms each user joined (with {@code join_room}, {@code resume}, {@code POST .../join}, or by connecting to a
 * room that is not a default room) and has not left since. Membership belongs to the user, not to a connection: it
 * outlives disconnects, so a reconnecting user's connection enters these rooms again, and REST history and search
 * answer a member who is offline. It ends with a leave or with the room's closing.
 *
 * <p>Connecting to a default room records nothing: every user is a member of those anyway ({@link HubQueries#isMember}),
 * and recording it would cost an entry for every user who ever connected. So only users who chose a room hold an
 * entry here. Kept in memory on this node only: a restart forgets it (docs/protocol.md, "Membership"). Safe from any
 * thread.
 */
final class RoomMemberships {
    /**
     * Immutable sets, replaced on each change: most users are in a room or two, and {@code Set.of} holds one or two
     * for a few bytes where a concurrent set costs hundreds; changes are rare next to reads.
     */
    private final Map<String, Set<String>> roomsByUser = new ConcurrentHashMap<>();

    /** Records that the user joined the room; true when they were not recorded as a member before. */
    boolean remember(String userId, String roomId) {
        boolean[] added = new boolean[1];
        roomsByUser.compute(userId, (user, rooms) -> {
            if (rooms == null) {
                added[0] = true;
                return Set.of(roomId);
            }
            if (rooms.contains(roomId)) {
                return rooms;
            }
            added[0] = true;
            Set<String> updated = new HashSet<>(rooms);
            updated.add(roomId);
            return Set.copyOf(updated);
        });
        return added[0];
    }

    /** Records that the user left the room; true when they were recorded as a member. */
    boolean forget(String userId, String roomId) {
        boolean[] removed = new boolean[1];
        roomsByUser.computeIfPresent(userId, (user, rooms) -> {
            if (!rooms.contains(roomId)) {
                return rooms;
            }
            removed[0] = true;
            Set<String> updated = new HashSet<>(rooms);
            updated.remove(roomId);
            return updated.isEmpty() ? null : Set.copyOf(updated);
        });
        return removed[0];
    }

    /** A room closed (or created afresh under an old id): nobody is a member of it any longer. */
    void forgetRoom(String roomId) {
        for (String userId : roomsByUser.keySet()) {
            forget(userId, roomId);
        }
    }

    /** True when the user joined the room and has not left it. */
    boolean isRecorded(String userId, String roomId) {
        Set<String> rooms = roomsByUser.get(userId);
        return rooms != null && rooms.contains(roomId);
    }

    /** The rooms recorded for the user. */
    List<String> recorded(String userId) {
        Set<String> rooms = roomsByUser.get(userId);
        return rooms == null ? List.of() : List.copyOf(rooms);
    }
}
