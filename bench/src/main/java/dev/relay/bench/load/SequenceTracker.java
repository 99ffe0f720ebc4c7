package dev.relay.bench.load;

/**
 * What one receiving connection got from each publisher of its group. Servers keep each publisher's order, so a
 * sequence number above the next expected one means the ones in between were lost, and one below means a duplicate
 * (or a message out of order, which the protocol forbids just the same). Touched by one event loop only.
 */
public final class SequenceTracker {
    private final long[] next;
    private long lost;
    private long duplicated;
    private long received;

    /** @param publishers publishers whose messages this receiver should see, numbered from 0 */
    public SequenceTracker(int publishers) {
        this.next = new long[publishers];
    }

    /** Counts one arrival; returns false when it was a duplicate (or out of order) or from an unknown publisher. */
    public boolean record(int publisher, long sequence) {
        if (publisher < 0 || publisher >= next.length) {
            duplicated++;
            return false;
        }
        long expected = next[publisher];
        if (sequence == expected) {
            next[publisher] = expected + 1;
            received++;
            return true;
        }
        if (sequence > expected) {
            lost += sequence - expected;
            next[publisher] = sequence + 1;
            received++;
            return true;
        }
        duplicated++;
        return false;
    }

    /** Messages from {@code publisher} this receiver has seen in order (the next sequence it expects). */
    public long seen(int publisher) {
        return next[publisher];
    }

    /**
     * Losses when the publishers have sent {@code sent[p]} messages each: the gaps seen so far plus the tail that
     * never arrived.
     */
    public long lost(long[] sent) {
        long tail = 0;
        for (int p = 0; p < next.length; p++) {
            tail += Math.max(0, sent[p] - next[p]);
        }
        return lost + tail;
    }

    /** True once everything the publishers sent has arrived (or been skipped as lost). */
    public boolean caughtUp(long[] sent) {
        for (int p = 0; p < next.length; p++) {
            if (next[p] < sent[p]) {
                return false;
            }
        }
        return true;
    }

    public long duplicated() {
        return duplicated;
    }

    public long received() {
        return received;
    }

    public int publishers() {
        return next.length;
    }
}
