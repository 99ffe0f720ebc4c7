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
    /**
     * The highest stream position this member has been given or must not be given again (set at join and by
     * replays). Touched only on the member's executor.
     */
    long deliveredSeq;
    /** The stream position when this member joined: live delivery covers what came after it. */
    long joinSeq;

    Slot(Outbox outbox, Shard shard, int index) {
        this.outbox = outbox;
        this.shard = shard;
        this.index = index;
    }

    /** The stream position up to which this member needs nothing more from live delivery. */
    public long deliveredSeq() {
        return deliveredSeq;
    }

    public long joinSeq() {
        return joinSeq;
    }

    /** Records that this member joined when the stream stood at {@code seq}: it gets only later messages live. */
    public void joinedAt(long seq) {
        joinSeq = seq;
        deliveredSeq = seq;
    }

    /** Marks everything up to {@code seq} as given; call on the member's executor. Never moves backwards. */
    public void deliveredUpTo(long seq) {
        if (seq > deliveredSeq) {
            deliveredSeq = seq;
        }
    }
}
