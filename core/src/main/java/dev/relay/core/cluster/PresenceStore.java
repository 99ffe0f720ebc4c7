package dev.relay.core.cluster;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Who is online across the cluster. Each node publishes its own users and connection count with a heartbeat that
 * expires after the presence TTL, so the users of a node that dies without a word drop out within the TTL instead
 * of staying online forever. Reads answer from the last heartbeat's view and never block.
 *
 * <p>Besides the counts, the store keeps which node has which user, change by change ({@link #share}), so that it can
 * tell exactly one node that a user came online or went offline cluster-wide. A dead node's users stay there until a
 * survivor's heartbeat finds the node older than the TTL and takes them out, reporting those then online nowhere.
 */
public interface PresenceStore extends AutoCloseable {
    /** Starts the heartbeat; {@code local} is read on each beat, on the store's own thread. */
    void start(LocalPresence local);

    /** The cluster as of the last heartbeat, or this node alone until the first one. */
    ClusterCounts counts();

    /**
     * The user's first connection on this node arrived ({@code online}), or their last one here closed. Called in the
     * order this node's changes of the user happened (inside the hub's per-user update), so it never blocks: the
     * engine queues it. The future says whether the change was the cluster's: the user's first connection on any
     * node, or their last one anywhere. Exactly one node's change is, since the engine decides them one at a time.
     */
    CompletableFuture<Boolean> share(String userId, boolean online);

    @Override
    void close();

    /** What this node contributes. */
    interface LocalPresence {
        Collection<String> onlineUserIds();

        int connections();

        /**
         * A change the engine made itself was the user's cluster-wide transition: a dead node's users taken out
         * (offline, told to the one node that took them out), or this node's users put back after the cluster took
         * it for dead (online again). On the engine's thread.
         */
        void transition(String userId, boolean online);
    }

    /** Distinct users online on any live node, and connections on all of them. */
    record ClusterCounts(int onlineUsers, int connections, int nodes) {
    }
}
