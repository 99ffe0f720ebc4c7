package dev.relay.core.delivery;

/**
 * A connection's place in one {@link Audience}: kept by whoever added it and handed back to remove it, which makes
 * removal O(1) without a lookup.
 */
public final class Slot {
    final Outbox outbox;
    final Shard shard;
    /** Index in the shard's array; moves when another member is swapped into a freed place. */
    int index;

    Slot(Outbox outbox, Shard shard, int index) {
        this.outbox = outbox;
        this.shard = shard;
        this.index = index;
    }
}
