package dev.relay.core.observe;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.session.Session;

/**
 * Events of the hub and its delivery lanes, for metrics, activity tracking and audit. Every method does nothing by
 * default, so an implementation overrides only what it needs and the core never checks for null.
 *
 * <p>Most calls come from an event loop on the message path: implementations must be cheap, must not block and must
 * not throw. Methods taking a {@link Session} run on that session's executor.
 */
public interface HubObserver {
    /** Observes nothing. */
    HubObserver NONE = new HubObserver() {
    };

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

    /**
     * Whether lanes should time deliveries for {@link #flushed}. Timing costs a clock read per delivery; answering
     * false (the default) skips it and {@link #flushed} gets no timestamps.
     */
    default boolean timesDeliveries() {
        return false;
    }

    /**
     * A delivery lane flushed a batch, on its executor.
     *
     * @param writes        frames written to connections in the batch (one per recipient)
     * @param bytes         payload bytes of those frames, summed over recipients
     * @param flushedNanos  when the batch was flushed, on the lane's nano clock (0 unless {@link #timesDeliveries})
     * @param acceptedNanos when each delivery of the batch was queued, in {@code [0, count)}; null unless
     *                      {@link #timesDeliveries}. The lane reuses the array: read it during the call only
     * @param count         deliveries in the batch (one per message per event loop)
     */
    default void flushed(int writes, long bytes, long flushedNanos, long[] acceptedNanos, int count) {
    }
}
