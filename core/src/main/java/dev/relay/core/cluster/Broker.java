package dev.relay.core.cluster;

import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.codec.MessageCodec;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ServerMessage;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Carries messages between the nodes of one cluster and keeps each room's single stream, so a message published on
 * any node reaches members on every node, in one order, with one {@code seq} and {@code epoch} a client can resume
 * from anywhere.
 *
 * <p>Every method is non-blocking and safe from any thread, event loops included: what needs the network answers
 * with a future, completed on the engine's own threads. Futures fail with a
 * {@link dev.relay.core.protocol.ProtocolException} ({@code overloaded} when the engine's bounded queue is full,
 * {@code broker_unavailable} while it cannot reach its server) so the hub can answer the client.
 *
 * <p>Room messages are delivered by arrival, on every node including the one that published them; private
 * messages and broadcasts are delivered locally by the node that publishes them and reach the others through
 * {@link Inbound}, which never hears a node's own private messages and broadcasts back.
 */
public interface Broker extends AutoCloseable {
    /** This node's name among the others, unique in the cluster. */
    String nodeId();

    /** Connects and registers where inbound messages go; the hub calls it once, before anything else. */
    void start(Inbound inbound);

    /**
     * Gives the draft the room's next {@code seq} in the shared stream (under {@code proposedEpoch} if the stream
     * does not exist yet), stores it there and sends it to every node following the room. Completes with the
     * message as placed. A non-null {@code retryKey} (sender, type, target and the client's message id) published
     * again within the dedup window, through any node, completes with the first placement and is not sent twice.
     */
    CompletableFuture<ServerMessage> publishToRoom(ServerMessage draft, String proposedEpoch, String retryKey);

    /** Sends a private message to the user's connections on other nodes; completes with how many nodes have one. */
    CompletableFuture<Long> publishToUser(String userId, ServerMessage message);

    /** Sends a broadcast to every other node. */
    CompletableFuture<Void> publishToEveryone(ServerMessage message);

    /**
     * Sends an event that is not part of the room's stream (no {@code seq}: joins, leaves, presence) to the room's
     * members on every node, this one included, through {@link Inbound#roomEvent}.
     */
    CompletableFuture<Void> publishRoomEvent(ServerMessage event);

    /** Starts receiving the room's messages; the hub calls it once per room it has. */
    void followRoom(String roomId);

    void unfollowRoom(String roomId);

    /**
     * Starts receiving private messages for the user; the hub calls it when the user's first local connection
     * arrives. Completes once a message published to the user from then on is sure to reach this node, so what was
     * held while the user was offline can be taken without missing one that is being held at that instant.
     */
    CompletableFuture<Void> followUser(String userId);

    /** The hub calls it when the user's last local connection leaves. */
    void unfollowUser(String userId);

    /** Where the room's shared stream stands, or empty if nothing was ever published to it. */
    CompletableFuture<Optional<StreamPosition>> position(String roomId);

    /** The most recent messages of the room's shared stream, at most {@code limit}, oldest first. */
    CompletableFuture<List<ServerMessage>> recent(String roomId, int limit);

    /**
     * The room's messages with {@code after < seq <= upTo} in {@code epoch}, oldest first, or empty when the shared
     * stream no longer holds all of them. Never a partial range.
     */
    CompletableFuture<Optional<List<ServerMessage>>> range(String roomId, String epoch, long after, long upTo);

    /**
     * Keeps a room created at run time (an encoded {@link SharedRoomSpec}) for nodes that start later, unless a room
     * with this id is kept already: completes true when this call kept it, false when it left the kept one exactly as
     * it was. Atomic across nodes, so two nodes creating the same id cannot both succeed, nor the second overwrite the
     * first's access list.
     */
    CompletableFuture<Boolean> claimRoom(String roomId, String encoded);

    /** Forgets a closed room, and its shared stream. */
    CompletableFuture<Void> deleteRoom(String roomId);

    /** Every room saved and not deleted: id to encoded {@link SharedRoomSpec}. */
    CompletableFuture<java.util.Map<String, String>> savedRooms();

    /** Whether the engine can reach its server now; readiness reports it. */
    boolean isConnected();

    /** Disconnects; publishing fails afterwards. */
    @Override
    void close();

    /**
     * What the engine hands the hub, on the engine's threads. Room messages of one room arrive in the order the
     * shared stream gave them, though some may be missing after an outage (the hub fills the gap).
     */
    interface Inbound {
        void roomMessage(ServerMessage placed);

        /**
         * The same, with the frame for the wire already made from what the broker carried ({@link
         * MessageCodec#wireFrame}), so the node need not encode the message again. The caller keeps its reference to
         * the frame and releases it after the call.
         */
        default void roomMessage(ServerMessage placed, EncodedFrame wire) {
            roomMessage(placed);
        }

        /**
         * A room message as the broker carried it ({@code encoded} by {@code codec} on the origin, placed at
         * {@code seq} in {@code epoch}): read once for the history, delivered as the frame made from those bytes.
         */
        default void roomMessage(MessageCodec codec, byte[] encoded, long seq, String epoch) {
            ServerMessage placed = codec.decode(encoded).at(seq, epoch);
            EncodedFrame wire = codec.wireFrame(encoded, seq, epoch);
            try {
                roomMessage(placed, wire);
            } finally {
                if (wire != null) {
                    wire.release();
                }
            }
        }

        /** An event for the room's members that is not part of its stream, from any node, this one included. */
        default void roomEvent(ServerMessage event) {
        }

        /** A private message published on another node, for the local connections of {@code userId}. */
        void userMessage(String userId, ServerMessage message);

        /** A broadcast published on another node. */
        void broadcast(ServerMessage message);

        /** The connection to the broker came back and every room is followed again: check for missed messages. */
        void reconnected();

        /**
         * Runs {@code work}, something the engine hands over in one go (arrivals it already holds, or the
         * completions of a batch of placements), so that what it leads to on this node (deliveries, acks) goes out
         * together when it ends rather than piece by piece as it is handed over. Nothing waits longer than the call.
         */
        default void together(Runnable work) {
            work.run();
        }
    }
}
