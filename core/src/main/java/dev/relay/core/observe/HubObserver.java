package dev.relay.core.observe;

import dev.relay.core.delivery.LaneObserver;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.session.Session;

/**
 * Events of the hub and its delivery lanes (the part it inherits from {@link LaneObserver}), for metrics, activity
 * tracking and audit. Every method does nothing by default, so an implementation overrides only what it needs and the
 * core never checks for null.
 *
 * <p>Most calls come from an event loop on the message path: implementations must be cheap, must not block and must
 * not throw. Methods taking a {@link Session} run on that session's executor.
 */
public interface HubObserver extends LaneObserver {
    /** Observes nothing. */
    HubObserver NONE = new HubObserver() {
    };

    /** Tells {@code first}, then {@code second}, of everything. */
    static HubObserver both(HubObserver first, HubObserver second) {
        return new ObserverPair(first, second);
    }

    /** A connection was registered, before its welcome and its first room. */
    default void connected(Session session) {
    }

    /** A connection entered a room (at connect, by {@code join_room} or through the REST API). */
    default void joined(Session session, String roomId) {
    }

    /** A connection left a room: by asking, by disconnecting, or because the room was closed. */
    default void left(Session session, String roomId) {
    }

    /**
     * The hub accepted a message and handed it to delivery. Called once per message, however many recipients.
     *
     * @param userId the sender ({@code system} for the embedding API)
     * @param type   {@code room_message}, {@code private_message}, {@code broadcast} or {@code binary}
     * @param roomId the room of a room message, else null
     */
    default void accepted(String userId, String type, String roomId) {
    }

    /**
     * The content filter matched a message of {@code userId}: {@code rejected} when the message was refused
     * ({@code filter_action: reject}), else it was delivered masked.
     */
    default void filtered(String userId, boolean rejected) {
    }

    /** A connection's message was refused with an {@code error} frame (rate limit, validation, permission...). */
    default void refused(Session session, ErrorCode code) {
    }

    // ---- what the event stream reports (dev.relay.core.event); each is called once where it happened ----

    /** A room was created through this node (not when a copy of another node's room is made here). */
    default void roomCreated(String roomId, String userId) {
    }

    /** A room was deleted through this node (not when another node's deletion is applied here). */
    default void roomDeleted(String roomId, String userId) {
    }

    /**
     * The room's first user entered it ({@code occupied}), or its last one left. On a single node: inside the room's
     * lock, so the calls of one room come in the order its members changed. In a cluster with a shared room presence:
     * the cluster's first and last user, on the one node whose change (or whose taking out of a dead node) made it,
     * on the engine's thread; never on a cluster without one. Not called when the room is deleted.
     */
    default void occupancy(String roomId, boolean occupied) {
    }

    /** A user became ({@code joined}) or stopped being a member of a room, asked on this node. */
    default void membership(String userId, String roomId, boolean joined) {
    }

    /**
     * The user's first connection was registered ({@code online}), or their last one closed. On a single node, this
     * node's; in a cluster with a shared presence store, the cluster's, on the one node whose change (or whose taking
     * out of a dead node) made it, on the store's thread; never on a cluster without one.
     */
    default void presence(String userId, boolean online) {
    }

    /** The user chose a status ({@code status} message); {@code status} is its wire name. */
    default void statusChosen(String userId, String status) {
    }

    /**
     * The user turned {@code away} after the idle timeout, or came back ({@code online}) with activity, on the node
     * that decided it: in a cluster sharing activity, once per cluster; the nodes that follow the decision are not
     * told. On the sweep's thread or the active session's executor.
     */
    default void statusAutomatic(String userId, String status) {
    }

    /**
     * A room message, private message or broadcast was accepted on this node, as its recipients get it: a room
     * message with its final {@code seq} and {@code epoch}. Once per message across a cluster.
     */
    default void messageAccepted(ServerMessage message) {
    }
}
