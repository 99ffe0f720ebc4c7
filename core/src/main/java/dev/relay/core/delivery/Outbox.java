package dev.relay.core.delivery;

import dev.relay.core.codec.EncodedFrame;

/**
 * The delivery side of one connection: which lane batches its writes, and the bits of state a batch needs. All
 * fields are touched only on the connection's executor, so none is volatile.
 */
public final class Outbox {
    final Connection connection;
    final DeliveryLane lane;
    /** Set while the connection has writes in the current batch that are not flushed yet. */
    boolean flushPending;
    /** The stamp of the last multi-audience delivery written here, so a frame reaches a connection once. */
    long lastStamp;

    Outbox(Connection connection, DeliveryLane lane) {
        this.connection = connection;
        this.lane = lane;
    }

    public Connection connection() {
        return connection;
    }

    /**
     * Queues {@code frame} for this connection alone on its lane, from any thread: it goes out with the lane's next
     * batch. The caller keeps its reference to the frame.
     */
    public void send(EncodedFrame frame) {
        lane.submit(new Delivery.ToOne(frame, this));
    }
}
