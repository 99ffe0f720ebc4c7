package dev.relay.server.websocket;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The slots one admitted connection of a {@link ProtocolEndpoint} holds (the server's, its address's, later its
 * user's on this node and, in a cluster, across it), all given back once by {@link #end}: when the WebSocket closes,
 * or when a long-polling session that outlived its requests ends.
 */
final class EndpointAdmission implements ProtocolEndpoint.Admission {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointAdmission.class);

    private final String client;
    private final String token;
    private final String connectionId;
    private final ConnectionSlots slots;
    private final KeyedSlots perAddress;
    private final KeyedSlots perUser;
    private final SharedUserSlots perUserShared;
    private final List<Runnable> releases = new ArrayList<>();
    private boolean userTaken;
    private boolean ended;

    /**
     * @param connectionId  names this connection's slot in {@code perUserShared} (unique across the cluster)
     * @param perUserShared the user's count across the cluster, {@link SharedUserSlots#NONE} on a single node
     */
    EndpointAdmission(String client, String token, String connectionId, ConnectionSlots slots,
                      KeyedSlots perAddress, KeyedSlots perUser, SharedUserSlots perUserShared) {
        this.client = client;
        this.token = token;
        this.connectionId = connectionId;
        this.slots = slots;
        this.perAddress = perAddress;
        this.perUser = perUser;
        this.perUserShared = perUserShared;
    }

    /** The server's slot and the address's, both or none; {@code addressCounted}: the socket holds it already. */
    synchronized void takeConnectionSlots(boolean addressCounted) {
        if (!slots.tryAcquire()) {
            throw new ProtocolException(ErrorCode.TOO_MANY_CONNECTIONS,
                    "the server is at its limit of " + slots.max() + " connections; retry later");
        }
        if (!addressCounted && !perAddress.tryAcquire(client)) {
            slots.release();
            throw new ProtocolException(ErrorCode.CONNECTION_LIMIT, "your address already has " + perAddress.max()
                    + " connections, the most allowed (max_connections_per_ip)");
        }
        releases.add(slots::release);
        if (!addressCounted) {
            releases.add(() -> perAddress.release(client));
        }
    }

    @Override
    public String clientAddress() {
        return client;
    }

    @Override
    public String upgradeToken() {
        return token;
    }

    @Override
    public CompletableFuture<Void> takeUserSlot(String userId) {
        synchronized (this) {
            if (userTaken) {
                throw new IllegalStateException("the user's slot is taken once per connection");
            }
            if (!perUser.tryAcquire(userId)) {
                throw new ProtocolException(ErrorCode.CONNECTION_LIMIT, "user '" + userId + "' already has "
                        + perUser.max() + " connections, the most allowed (max_connections_per_user)");
            }
            userTaken = true;
            if (ended) {
                perUser.release(userId); // ended meanwhile: nothing may stay held
                return CompletableFuture.completedFuture(null);
            }
            releases.add(() -> perUser.release(userId));
            if (perUser.max() == 0 || perUserShared == SharedUserSlots.NONE) {
                return CompletableFuture.completedFuture(null);
            }
        }
        // The cluster's count, after this node's own has room, as /ws/connect's gate asks it: without blocking (the
        // caller's loop continues when the answer comes). While the store cannot be reached the node's own count
        // stands alone, so connecting keeps working through an outage.
        return perUserShared.tryAcquire(userId, connectionId).handle((taken, failure) -> {
            if (failure != null) {
                LOG.warn("event=shared_connection_limit_unavailable user={} cause=\"{}\"", userId,
                        failure.toString());
                return null;
            }
            if (!taken) {
                throw new ProtocolException(ErrorCode.CONNECTION_LIMIT, "user '" + userId + "' already has "
                        + perUser.max() + " connections across the cluster, the most allowed"
                        + " (max_connections_per_user)");
            }
            synchronized (this) {
                if (ended) {
                    // Ended while the store answered: the slot taken there must not outlive the connection.
                    perUserShared.release(userId, connectionId);
                } else {
                    releases.add(() -> perUserShared.release(userId, connectionId));
                }
            }
            return null;
        });
    }

    @Override
    public synchronized void end() {
        if (ended) {
            return;
        }
        ended = true;
        releases.forEach(Runnable::run);
        releases.clear();
    }
}
