package dev.relay.core.cluster;

import java.util.Collection;

/**
 * Who is online across the cluster. Each node publishes its own users and connection count with a heartbeat that
 * expires after the presence TTL, so the users of a node that dies without a word drop out within the TTL instead
 * of staying online forever. Reads answer from the last heartbeat's view and never block.
 */
public interface PresenceStore extends AutoCloseable {
    /** Starts the heartbeat; {@code local} is read on each beat, on the store's own thread. */
    void start(LocalPresence local);

    /** The cluster as of the last heartbeat, or this node alone until the first one. */
    ClusterCounts counts();

    @Override
    void close();

    /** What this node contributes. */
    interface LocalPresence {
        Collection<String> onlineUserIds();

        int connections();
    }

    /** Distinct users online on any live node, and connections on all of them. */
    record ClusterCounts(int onlineUsers, int connections, int nodes) {
    }
}
