package dev.relay.core.policy;

/**
 * A token bucket: {@code perMinute} messages a minute, with bursts up to the same number. Not thread-safe: each
 * session owns one and uses it on its own executor.
 */
public final class RateLimiter {
    private static final long NANOS_PER_MINUTE = 60_000_000_000L;

    private final long capacity;
    private final double tokensPerNano;
    private final NanoClock clock;
    private double tokens;
    private long last;

    /** A source of {@link System#nanoTime()}-like readings, so tests can move time instead of sleeping. */
    @FunctionalInterface
    public interface NanoClock {
        long nanoTime();
    }

    public RateLimiter(int perMinute, NanoClock clock) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute must be positive");
        }
        this.capacity = perMinute;
        this.tokensPerNano = (double) perMinute / NANOS_PER_MINUTE;
        this.clock = clock;
        this.tokens = perMinute;
        this.last = clock.nanoTime();
    }

    /** A limiter that never refuses. */
    public static RateLimiter unlimited() {
        return new RateLimiter(Integer.MAX_VALUE, () -> 0L);
    }

    /** Takes one token; false when the bucket is empty and the message should be refused. */
    public boolean tryAcquire() {
        if (capacity == Integer.MAX_VALUE) {
            return true;
        }
        long now = clock.nanoTime();
        tokens = Math.min(capacity, tokens + (now - last) * tokensPerNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
