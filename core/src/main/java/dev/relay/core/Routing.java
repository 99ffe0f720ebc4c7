package dev.relay.core;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.Published;
import dev.relay.core.cluster.SharedRoomSpec;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Room;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Where messages and membership changes go, chosen once when the hub is built: {@link LocalRouting} on a single node
 * (a room message goes straight to its room), {@link ClusteredRouting} when a {@link Broker} links nodes. The rest of
 * the hub takes the same path either way, so single-node and cluster behaviour cannot drift apart; with only these
 * two implementations every call site stays at most bimorphic.
 */
sealed interface Routing permits LocalRouting, ClusteredRouting {

    // ---- publishing ({@link Publisher} has checked the message; {@code here} delivers on this node) ----

    /** Gives a room message its {@code seq} and delivers it; throws {@code overloaded} when lanes are full. */
    CompletableFuture<Published> toRoom(Room room, ServerMessage draft, String retryKey, Publisher here);

    /** Delivers a checked private message to {@code to}, or holds it while they are connected nowhere. */
    CompletableFuture<Published> toUser(Identity from, String to, ServerMessage out, Published pending,
                                        Publisher here);

    /** Delivers a checked broadcast to everyone. */
    CompletableFuture<Published> toEveryone(ServerMessage out, Published pending, Publisher here);

    /**
     * Sends a {@code message_update} to the room's members: here at once on a single node; in a cluster to every
     * node following the room, this one included, each updating its own resume history.
     */
    void updateInRoom(Room room, ServerMessage update, dev.relay.core.codec.EncodedFrame frame);

    /** A frame for a user's connections on the other nodes (best effort); nothing on a single node. */
    void toUserElsewhere(String userId, ServerMessage message);

    /**
     * Sends a room's {@code typing} through the cluster, which brings it back to every node, this one included;
     * false on a single node, where the caller delivers it itself.
     */
    boolean typingInRoom(Room room, ServerMessage typing);

    /**
     * A {@code cancel} no work on this node recognised: false on a single node (nothing to cancel); in a cluster it
     * goes to the other nodes, whose own {@link Cancels} may know it, and the answer is true.
     */
    boolean cancelElsewhere(dev.relay.core.identity.Identity who, String replyId);

    // ---- following rooms and users ({@link Membership}, {@link Hub}) ----

    /** One more reason to follow the room on this node (a connection entered it); undone by {@link #release}. */
    void hold(Room room);

    void release(Room room);

    /** Whether a connection may enter or resume the room now: true unless this node still has to catch it up. */
    boolean isCurrent(Room room);

    /** Holds the room and completes once it is current; only called when {@link #isCurrent} was false. */
    CompletableFuture<Void> holdUntilCurrent(Room room);

    /** The user's first connection here: completes once messages for the user reach this node. */
    CompletableFuture<Void> followUser(String userId);

    /** The user's last connection here closed. */
    void unfollowUser(String userId);

    // ---- telling the other nodes ----

    /** A join or leave of the user's, made here, for their connections elsewhere. */
    void moveElsewhere(String userId, String roomId, boolean join);

    /** The user chose a status here (their current status is read from the directory). */
    void shareStatus(String userId);

    /**
     * Creates a room: at once on a single node; in a cluster once its id is claimed for every node (see
     * {@link HubAdmin#createRoomAsync}).
     */
    CompletableFuture<Room> create(SharedRoomSpec shared, Supplier<Room> createHere);

    /** A room was closed here. */
    void closed(Room room);

    /** The broker, in a cluster. */
    Optional<Broker> broker();
}
