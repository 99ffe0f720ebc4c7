package dev.relay.core.presence;

import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.MemberWatch;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomMember;
import dev.relay.core.session.UserStatus;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * In a cluster, hands every change of a room's users on this node to the {@link RoomPresence}, which announces
 * arrivals and departures once for the whole cluster; {@link Presence} then announces nothing itself. Until a
 * presence is installed (a single node) it does nothing.
 */
public final class RoomPresenceFeed implements MemberWatch {
    private final Clock clock;
    private final boolean announce;
    private volatile RoomPresence shared;
    /** Rooms still registered; a closing room's members are moved out without user_left. */
    private volatile Predicate<Room> open = room -> true;

    /** @param announce send user_joined, user_left and presence events (enable_user_presence) */
    public RoomPresenceFeed(Clock clock, boolean announce) {
        this.clock = clock;
        this.announce = announce;
    }

    /** Installs the cluster's presence; {@code open} tells a registered room from one being closed. */
    public void install(RoomPresence presence, Predicate<Room> open) {
        this.open = open;
        this.shared = presence;
    }

    /** The cluster's presence, or null on a single node. */
    public RoomPresence shared() {
        return shared;
    }

    @Override
    public void changed(Room room, String userId, String name, int connections, boolean entering,
                        Instant joinedAt) {
        RoomPresence presence = shared;
        if (presence == null || !open.test(room)) {
            return;
        }
        ServerMessage announcement = entering && connections == 1 ? arrival(room.id(), userId, name)
                : connections == 0 ? departure(room.id(), userId, name) : null;
        presence.share(new RoomPresence.Share(room.id(), userId, name, connections, joinedAt, announcement));
    }

    ServerMessage arrival(String roomId, String userId, String name) {
        return event(MessageType.USER_JOINED, roomId, userId, "name", name);
    }

    ServerMessage departure(String roomId, String userId, String name) {
        return event(MessageType.USER_LEFT, roomId, userId, "name", name);
    }

    ServerMessage status(String roomId, String userId, UserStatus status) {
        return event(MessageType.PRESENCE, roomId, userId, "status", status.wireName());
    }

    private ServerMessage event(String type, String roomId, String userId, String key, String value) {
        if (!announce) {
            return null;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("user_id", userId);
        data.put(key, value);
        return ServerMessage.event(type, roomId, data, clock.instant());
    }

    /**
     * The events the engine needs for a dead node's users and for putting this node's share back; {@code occupancy}
     * hears the cluster-wide occupied/vacated transitions the engine decides.
     */
    public RoomPresence.LocalRooms localRooms(Supplier<Collection<String>> roomIds,
                                              Function<String, List<RoomMember>> here, int maxRoomUsers,
                                              BiConsumer<String, Boolean> occupancy) {
        return new RoomPresence.LocalRooms() {
            @Override
            public Collection<String> roomIds() {
                return roomIds.get();
            }

            @Override
            public List<RoomMember> membersHere(String roomId) {
                return here.apply(roomId);
            }

            @Override
            public int maxRoomUsers() {
                return maxRoomUsers;
            }

            @Override
            public ServerMessage arrival(String roomId, String userId, String name) {
                return RoomPresenceFeed.this.arrival(roomId, userId, name);
            }

            @Override
            public ServerMessage departure(String roomId, String userId, String name) {
                return RoomPresenceFeed.this.departure(roomId, userId, name);
            }

            @Override
            public ServerMessage offline(String roomId, String userId) {
                return status(roomId, userId, UserStatus.OFFLINE);
            }

            @Override
            public void occupancy(String roomId, boolean occupied) {
                occupancy.accept(roomId, occupied);
            }
        };
    }
}
