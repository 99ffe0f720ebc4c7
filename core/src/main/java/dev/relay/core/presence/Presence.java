package dev.relay.core.presence;

import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.delivery.EncodedFrame;
import dev.relay.core.delivery.Encoder;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.Identity;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.session.UserStatus;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells rooms about their users: {@code user_joined} / {@code user_left} when a user's first connection enters or
 * last one leaves, and {@code presence} when a user's status changes (chosen, idle, back, offline).
 */
public final class Presence {
    private final RoomRegistry rooms;
    private final UserDirectory users;
    private final Encoder encoder;
    private final Clock clock;
    private final boolean announceRoomEvents;
    private final int maxRoomUsers;
    private final boolean trackIdle;
    private final Duration idleTimeout;
    private final SharedRooms shared;

    /**
     * @param announceRoomEvents send user_joined, user_left and presence events (enable_user_presence)
     * @param maxRoomUsers       rooms with more users than this are not told (presence_max_room_users; 0: no limit)
     * @param trackIdle          turn idle users away automatically (enable_user_status)
     * @param shared             where, in a cluster, announcements go instead of straight to the room
     */
    public Presence(RoomRegistry rooms, UserDirectory users, Encoder encoder, Clock clock, boolean announceRoomEvents,
                    int maxRoomUsers, boolean trackIdle, Duration idleTimeout, SharedRooms shared) {
        this.shared = shared;
        this.rooms = rooms;
        this.users = users;
        this.encoder = encoder;
        this.clock = clock;
        this.announceRoomEvents = announceRoomEvents;
        this.maxRoomUsers = maxRoomUsers;
        this.trackIdle = trackIdle;
        this.idleTimeout = idleTimeout;
    }

    /** A user's first connection entered the room; runs inside the room's lock. */
    public void entered(Room room, Identity who) {
        users.enteredRoom(who.userId(), room.id());
        if (shared.shared() != null) {
            return; // the cluster announces it, once, on every node
        }
        announce(room, room.userCount(), MessageType.USER_JOINED, who.userId(), "name", who.name());
    }

    /** A user's last connection left the room; runs inside the room's lock. */
    public void left(Room room, Identity who) {
        users.leftRoom(who.userId(), room.id());
        if (shared.shared() != null) {
            return;
        }
        announce(room, room.userCount() + 1, MessageType.USER_LEFT, who.userId(), "name", who.name());
    }

    /** The user sent something: brings them back from an automatic away. */
    public void activity(String userId) {
        users.activity(userId, clock.instant()).ifPresent(status -> statusChanged(userId, status));
    }

    /** The user chose a status. */
    public void choose(String userId, UserStatus status) {
        users.choose(userId, status).ifPresent(changed -> statusChanged(userId, changed));
    }

    /** Turns users idle for longer than the timeout away; call periodically. Returns how many changed. */
    public int sweepIdle() {
        if (!trackIdle) {
            return 0;
        }
        List<String> away = users.markIdleAway(clock.instant(), idleTimeout);
        away.forEach(userId -> statusChanged(userId, UserStatus.AWAY));
        return away.size();
    }

    /** The user's last connection closed: the rooms it was in hear they are offline. */
    public void wentOffline(String userId, Iterable<String> roomIds) {
        RoomPresence cluster = shared.shared();
        for (String roomId : roomIds) {
            if (cluster != null) {
                // Said once, and only if the user is in the room on no other node either.
                ServerMessage event = shared.status(roomId, userId, UserStatus.OFFLINE);
                if (event != null) {
                    cluster.status(roomId, userId, UserStatus.OFFLINE.wireName(), event);
                }
                continue;
            }
            rooms.find(roomId).ifPresent(room -> announce(room, room.userCount() + 1, MessageType.PRESENCE, userId,
                    "status", UserStatus.OFFLINE.wireName()));
        }
    }

    private void statusChanged(String userId, UserStatus status) {
        RoomPresence cluster = shared.shared();
        for (String roomId : users.rooms(userId)) {
            if (cluster != null) {
                ServerMessage event = shared.status(roomId, userId, status);
                if (event != null) {
                    cluster.status(roomId, userId, status.wireName(), event);
                }
                continue;
            }
            rooms.find(roomId).ifPresent(room -> announce(room, room.userCount(), MessageType.PRESENCE, userId,
                    "status", status.wireName()));
        }
    }

    /**
     * @param usersWithThem the room's users counting the one the event is about, so that a user's arrival and
     *                      departure are either both announced or neither, whichever side of the limit
     */
    private void announce(Room room, int usersWithThem, String type, String userId, String key, String value) {
        // Past the limit a join no longer costs a frame per member; members ask for the member list instead.
        if (!announceRoomEvents || (maxRoomUsers > 0 && usersWithThem > maxRoomUsers)) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("user_id", userId);
        data.put(key, value);
        EncodedFrame frame = encoder.encode(ServerMessage.event(type, room.id(), data, clock.instant()));
        try {
            room.announce(frame); // an event lost to an overloaded lane is not worth refusing a join for
        } finally {
            frame.release();
        }
    }
}
