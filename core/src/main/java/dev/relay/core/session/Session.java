package dev.relay.core.session;

import dev.relay.core.delivery.Connection;
import dev.relay.core.delivery.Outbox;
import dev.relay.core.delivery.Slot;
import dev.relay.core.identity.Identity;
import dev.relay.core.policy.RateLimiter;

import java.time.Instant;
import java.util.List;

/**
 * One live connection of one user. Everything mutable here belongs to the connection's executor: the hub changes it
 * only in tasks running there, so nothing needs a lock.
 */
public final class Session {
    private final String id;
    private final Identity identity;
    private final Outbox outbox;
    private final Instant connectedAt;
    private final RateLimiter rateLimiter;

    private final JoinedRooms rooms = new JoinedRooms();
    private Slot everyoneSlot;
    private Slot userSlot;
    private boolean open = true;
    /** When the connection's token stops being valid; {@link Instant#MAX} for connections without one. */
    private Instant tokenExpiresAt = Instant.MAX;

    public Session(String id, Identity identity, Outbox outbox, Instant connectedAt, RateLimiter rateLimiter) {
        this.id = id;
        this.identity = identity;
        this.outbox = outbox;
        this.connectedAt = connectedAt;
        this.rateLimiter = rateLimiter;
    }

    /** The client id, unique per connection. */
    public String id() {
        return id;
    }

    public Identity identity() {
        return identity;
    }

    public String userId() {
        return identity.userId();
    }

    public Outbox outbox() {
        return outbox;
    }

    public Connection connection() {
        return outbox.connection();
    }

    public Instant connectedAt() {
        return connectedAt;
    }

    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    public Instant tokenExpiresAt() {
        return tokenExpiresAt;
    }

    /** Set at connect and by a successful refresh; the transport closes the connection when it passes. */
    public void tokenExpiresAt(Instant expiresAt) {
        this.tokenExpiresAt = expiresAt;
    }

    public boolean isOpen() {
        return open;
    }

    public void markClosed() {
        open = false;
    }

    public boolean isIn(String roomId) {
        return rooms.contains(roomId);
    }

    /** Rooms this connection is in, in the order it joined them: a snapshot, unaffected by later joins. */
    public List<String> roomIds() {
        return rooms.ids();
    }

    public void enter(String roomId, Slot slot) {
        rooms.put(roomId, slot);
    }

    /** This connection's place in the room's audience, or null when it is not in the room. */
    public Slot slotIn(String roomId) {
        return rooms.get(roomId);
    }

    /** Forgets the room and hands back the slot to remove from it, or null when the session was not in it. */
    public Slot exit(String roomId) {
        return rooms.remove(roomId);
    }

    public Slot everyoneSlot() {
        return everyoneSlot;
    }

    public void everyoneSlot(Slot slot) {
        this.everyoneSlot = slot;
    }

    public Slot userSlot() {
        return userSlot;
    }

    public void userSlot(Slot slot) {
        this.userSlot = slot;
    }

    @Override
    public String toString() {
        return "Session[" + id + " user=" + identity.userId() + " from " + outbox.connection().remoteAddress() + "]";
    }
}
