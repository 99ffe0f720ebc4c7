package dev.relay.core.policy;

import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.room.RoomRegistry;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which rooms are private and who may enter them: the room's member list (given when it was created), a token
 * whose {@code rooms} claim names the room, or the {@code admin} role. Public rooms are open to every user. Safe
 * from any thread.
 */
public final class RoomAccess {
    private final Map<String, Set<String>> privateMembers = new ConcurrentHashMap<>();

    /** Makes a room private to these user ids (and tokens that grant it). */
    public void restrict(String roomId, Set<String> members) {
        privateMembers.put(roomId, Set.copyOf(members));
    }

    public void forget(String roomId) {
        privateMembers.remove(roomId);
    }

    public boolean isPrivate(String roomId) {
        return privateMembers.containsKey(roomId);
    }

    public boolean mayEnter(Identity who, String roomId) {
        Set<String> members = privateMembers.get(roomId);
        return members == null || who.isAdmin() || members.contains(who.userId()) || who.rooms().contains(roomId);
    }

    /**
     * @throws ProtocolException {@code room_not_found}, exactly as for a room that does not exist, when {@code who}
     *                           may not enter the room: a private room is not there for those outside it
     */
    public void requireEntry(Identity who, String roomId) {
        if (!mayEnter(who, roomId)) {
            throw RoomRegistry.notFound(roomId);
        }
    }
}
