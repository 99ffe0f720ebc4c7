package dev.relay.core.cluster;

import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.RoomMember;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Who is in which room across the cluster, and the one place that decides when a room hears about it. Each node
 * shares how many connections each user has in each room on it; the engine keeps that per node and per room, and
 * announces a user's arrival when their first connection anywhere enters a room and their departure when the last
 * one anywhere leaves, to the room's members on every node (through {@link Broker.Inbound#roomEvent}), each once.
 * A node that dies without a word: once its heartbeat is older than the presence TTL a surviving node takes its
 * users out of every room and announces those who are then gone, once.
 *
 * <p>{@link #share} and {@link #status} never block and are called on event loops, inside the room's lock (so a
 * node's changes reach the engine in the order the room made them); the engine queues them. Reads answer with a
 * future completed on the engine's threads.
 */
public interface RoomPresence extends AutoCloseable {
    /**
     * Connects (blocking, at start) and drops whatever an earlier run under this node's id left behind, announcing
     * those users' departures.
     */
    void start(LocalRooms local);

    /**
     * This node now has {@code share.connections()} connections of the user in the room (0: none). When that makes
     * the user arrive in the room cluster-wide (or leave it), {@code share.announcement()} goes to the room, unless
     * it is null or the room has more than {@link LocalRooms#maxRoomUsers()} users counting this one.
     */
    void share(Share share);

    /**
     * Sends a {@code presence} event to the room on every node, once across the nodes that report the same change:
     * skipped when the room already shows the user with this status, or for {@code offline} while the user is still
     * in the room on another node; subject to the same room size limit as arrivals.
     */
    void status(String roomId, String userId, String status, ServerMessage event);

    /** Every user in the room on any live node, with their connections summed and earliest arrival. */
    CompletableFuture<List<Member>> members(String roomId);

    /** Users and connections of each room across the cluster; rooms nobody is in may be left out. */
    CompletableFuture<Map<String, Counts>> counts(Collection<String> roomIds);

    /** A room closed: forget who was in it, announcing nothing. */
    void forget(String roomId);

    @Override
    void close();

    /** One user's connections in one room, on this node. */
    record Share(String roomId, String userId, String name, int connections, Instant joinedAt,
                 ServerMessage announcement) {
    }

    /** A user in a room as the cluster sees it; {@code status} is the last one announced there, or online. */
    record Member(String userId, String name, int connections, Instant joinedAt, String status) {
    }

    record Counts(int users, int connections) {
    }

    /** What the engine needs from the hub to put this node's share back, and to announce a dead node's users. */
    interface LocalRooms {
        /** Rooms this node has; every node has every room, so a dead node's rooms are among them. */
        Collection<String> roomIds();

        /** The users in the room on this node. */
        List<RoomMember> membersHere(String roomId);

        /** 0: no limit. */
        int maxRoomUsers();

        /** {@code user_joined}, or null when arrivals are not announced. */
        ServerMessage arrival(String roomId, String userId, String name);

        /** {@code user_left}, or null when departures are not announced. */
        ServerMessage departure(String roomId, String userId, String name);

        /** {@code presence} with status offline, or null when it is not announced. */
        ServerMessage offline(String roomId, String userId);

        /**
         * The room got its first user on any node ({@code occupied}) or lost its last one, through a change of this
         * node or a dead node's users this node took out: told to exactly one node per transition, on the engine's
         * thread. Not for a room that is {@linkplain #forget forgotten}.
         */
        void occupancy(String roomId, boolean occupied);
    }
}
