package dev.relay.server.websocket;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

import java.util.ArrayList;
import java.util.List;

/**
 * The slots one admitted connection of a {@link ProtocolEndpoint} holds (the server's, its address's, later its
 * user's), all given back once by {@link #end}: when the WebSocket closes, or when a long-polling session that
 * outlived its requests ends.
 */
final class EndpointAdmission implements ProtocolEndpoint.Admission {
    private final String client;
    private final String token;
    private final ConnectionSlots slots;
    private final KeyedSlots perAddress;
    private final KeyedSlots perUser;
    private final List<Runnable> releases = new ArrayList<>();
    private boolean userTaken;
    private boolean ended;

    EndpointAdmission(String client, String token, ConnectionSlots slots, KeyedSlots perAddress, KeyedSlots perUser) {
        this.client = client;
        this.token = token;
        this.slots = slots;
        this.perAddress = perAddress;
        this.perUser = perUser;
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
    public synchronized void takeUserSlot(String userId) {
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
            return;
        }
        releases.add(() -> perUser.release(userId));
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
