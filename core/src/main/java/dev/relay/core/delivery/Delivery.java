package dev.relay.core.delivery;

import dev.relay.core.codec.EncodedFrame;

/**
 * One frame queued on a lane, for one shard or for the union of several. {@code acceptedNanos} is when it was queued,
 * on the lane's nano clock (0 when the lane does not time deliveries), for the delivery latency.
 */
sealed interface Delivery {
    EncodedFrame frame();

    long acceptedNanos();

    /**
     * Every member of one shard: the common case of a room message. A positive {@code seq} is the frame's place in
     * its room's stream; members that already have it (or joined after it) are skipped.
     */
    record ToShard(EncodedFrame frame, Shard shard, long seq, long acceptedNanos) implements Delivery {
    }

    /**
     * The members of several shards of the same lane, each connection once (a connection can be in several of the
     * audiences), optionally leaving one out.
     */
    record ToUnion(EncodedFrame frame, Shard[] shards, Outbox except, long acceptedNanos) implements Delivery {
    }

    /**
     * A reply to one connection (an ack that completed off its executor): written and flushed with the lane's batch,
     * so the replies a thread hands over together cost the connection one flush, not a task and a flush each. Not a
     * fan-out delivery: neither counted as one nor timed.
     */
    record ToOne(EncodedFrame frame, Outbox outbox) implements Delivery {
        @Override
        public long acceptedNanos() {
            return 0L;
        }
    }
}
