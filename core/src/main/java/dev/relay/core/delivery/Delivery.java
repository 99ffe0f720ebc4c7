package dev.relay.core.delivery;

/** One frame queued on a lane, for one shard or for the union of several. */
sealed interface Delivery {
    EncodedFrame frame();

    /**
     * Every member of one shard: the common case of a room message. A positive {@code seq} is the frame's place in
     * its room's stream; members that already have it (or joined after it) are skipped.
     */
    record ToShard(EncodedFrame frame, Shard shard, long seq) implements Delivery {
    }

    /**
     * The members of several shards of the same lane, each connection once (a connection can be in several of the
     * audiences), optionally leaving one out.
     */
    record ToUnion(EncodedFrame frame, Shard[] shards, Outbox except) implements Delivery {
    }
}
