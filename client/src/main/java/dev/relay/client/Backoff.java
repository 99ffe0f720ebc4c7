package dev.relay.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: attempt {@code n} (from 0) waits a uniformly random time between zero and
 * {@code min(max, initial * 2^n)}. The jitter spreads a crowd of clients that lost the same server over the whole
 * window instead of having them return in lockstep.
 *
 * @param initial the ceiling of the first wait; more than zero
 * @param max     the largest ceiling; at least {@code initial}
 */
public record Backoff(Duration initial, Duration max) {
    /** 500 ms doubling up to 20 s. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(20));

    public Backoff {
        if (initial == null || max == null || initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("backoff: initial must be more than zero, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff: max (" + max + ") must be at least initial (" + initial + ")");
        }
    }

    /** The ceiling of attempt {@code attempt}'s wait, before jitter. */
    public Duration ceiling(int attempt) {
        long maxMillis = max.toMillis();
        long ceiling = Math.max(1, initial.toMillis());
        for (int i = 0; i < attempt && ceiling < maxMillis; i++) {
            ceiling = ceiling > maxMillis / 2 ? maxMillis : ceiling * 2;
        }
        return Duration.ofMillis(Math.min(maxMillis, ceiling));
    }

    /** A random wait for attempt {@code attempt}, in [0, ceiling]. */
    public Duration delay(int attempt, RandomGenerator random) {
        long ceiling = ceiling(attempt).toMillis();
        return Duration.ofMillis(Math.round(ceiling * random.nextDouble()));
    }
}
