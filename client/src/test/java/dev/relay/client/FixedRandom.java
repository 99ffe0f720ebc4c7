package dev.relay.client;

import java.util.random.RandomGenerator;

/** Jitter pinned to one fraction of the window, so the backoff's ceilings show through. */
record FixedRandom(double fraction) implements RandomGenerator {
    @Override
    public long nextLong() {
        throw new UnsupportedOperationException("the backoff draws doubles");
    }

    @Override
    public double nextDouble() {
        return fraction;
    }
}
