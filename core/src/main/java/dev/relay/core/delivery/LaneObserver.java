package dev.relay.core.delivery;

/**
 * What a {@link DeliveryLane} reports after each batch it flushes. Owned here, by the lane that calls it, so delivery
 * knows nothing of who watches it; the hub's {@link dev.relay.core.observe.HubObserver} extends it. Both methods
 * default to doing nothing.
 *
 * <p>Called on the lane's executor (an event loop): implementations must be cheap, must not block and must not
 * throw.
 */
public interface LaneObserver {
    /** Observes nothing and times nothing. */
    LaneObserver NONE = new LaneObserver() {
    };

    /**
     * Whether the lane should time deliveries for {@link #flushed}. Timing costs a clock read per delivery; answering
     * false (the default) skips it and {@link #flushed} gets no timestamps. Asked once, when the lane is made.
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
