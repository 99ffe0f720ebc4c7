package dev.relay.core.policy;

/**
 * A token bucket: {@code perMinute} messages a minute, with bursts up to the same number. Not thread-safe: each
 * session owns one and uses it on its own executor. A small class of our own rather than Bucket4j or Guava's
 * RateLimiter: it is twenty lines, takes an injected clock for tests, and allocates nothing per message.
 *
 * <p>It also counts refusals: a client still sending after {@link #ABUSE_FACTOR} times its per-minute budget has
 * been refused within a minute is not a bursty client but a broken or hostile one, and {@link #abusive()} says so.
 */
public final class RateLimiter {
    private static final long NANOS_PER_MINUTE = 60_000_000_000L;
    /** Refusals within a minute, as a multiple of the per-minute budget, after which the client is abusive. */
    public static final int ABUSE_FACTOR = 2;

    private final long capacity;
    private final double tokensPerNano;
    private final NanoClock clock;
    private double tokens;
    private long last;
    private long refusalWindowStart;
    private long refusals;

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

    /** Never mutated (every method returns before touching state when unlimited), so one serves every session. */
    private static final RateLimiter UNLIMITED = new RateLimiter(Integer.MAX_VALUE, () -> 0L);

    /** A limiter that never refuses; the same instance every time, so idle sessions don't each carry one. */
    public static RateLimiter unlimited() {
        return UNLIMITED;
    }

    /** The budget this bucket was made with. */
    public int perMinute() {
        return (int) capacity;
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
        if (refusals == 0 || now - refusalWindowStart >= NANOS_PER_MINUTE) {
            refusalWindowStart = now;
            refusals = 0;
        }
        refusals++;
        return false;
    }

    /** Milliseconds until the next token, rounded up; 0 when one is available now. */
    public long retryAfterMillis() {
        if (tokens >= 1 || capacity == Integer.MAX_VALUE) {
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / tokensPerNano / 1_000_000);
    }

    /** Whether {@link #ABUSE_FACTOR} times the per-minute budget has been refused within the current minute. */
    public boolean abusive() {
        return capacity != Integer.MAX_VALUE && refusals >= ABUSE_FACTOR * capacity;
    }

    /** Whether the bucket is full again, i.e. the owner has been idle long enough to be forgotten. */
    boolean isFull() {
        long now = clock.nanoTime();
        return tokens + (now - last) * tokensPerNano >= capacity;
    }
}
