package dev.relay.core.delivery;

/** One frame queued on a lane, for one shard or for the union of several. */
sealed interface Delivery {
    EncodedFrame frame();

    /** Every member of one shard: the common case of a room message. */
    record ToShard(EncodedFrame frame, Shard shard) implements Delivery {
    }

    /**
     * The members of several shards of the same lane, each connection once (a connection can be in several of the
     * audiences), optionally leaving one out.
     */
    record ToUnion(EncodedFrame frame, Shard[] shards, Outbox except) implements Delivery {
    }
}
