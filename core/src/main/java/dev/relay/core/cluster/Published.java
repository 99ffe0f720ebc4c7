package dev.relay.core.cluster;

import java.time.Instant;

/**
 * What the hub answers for an accepted message: the id it gave the message, when it accepted it, for a room message
 * its place in the room's stream ({@code seq} is null otherwise), and for a private message to a user with no live
 * connection, that it was stored for their return ({@code stored_offline} in the ack).
 *
 * <p>It lives here, beside {@link SharedRetries}, which records it so a retry on another node gets the same answer:
 * the hub above uses it, and the cluster SPI needs nothing from the hub.
 */
public record Published(String id, Instant timestamp, Long seq, boolean storedOffline) {
    public Published(String id, Instant timestamp, Long seq) {
        this(id, timestamp, seq, false);
    }

    public Published(String id, Instant timestamp) {
        this(id, timestamp, null, false);
    }
}
