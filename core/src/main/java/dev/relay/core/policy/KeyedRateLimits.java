package dev.relay.core.policy;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per key (a user id for REST, an address for new connections), shared by every thread that
 * serves that key. Buckets that have refilled are forgotten once more than {@link #MAX_TRACKED} keys are held, so a
 * flood of distinct keys costs bounded memory.
 */
public final class KeyedRateLimits {
    static final int MAX_TRACKED = 100_000;

    /** Changed by a configuration reload; a bucket made with another budget is replaced on its next use. */
    private volatile int perMinute;
    private final RateLimiter.NanoClock clock;
    private final String what;
    private final Map<String, RateLimiter> buckets = new ConcurrentHashMap<>();

    /**
     * @param perMinute requests per minute per key; 0 turns the limit off
     * @param what      what is limited, for the refusal message (e.g. "REST requests")
     */
    public KeyedRateLimits(int perMinute, RateLimiter.NanoClock clock, String what) {
        this.perMinute = perMinute;
        this.clock = clock;
        this.what = what;
    }

    /** @throws ProtocolException {@code rate_limited} with the time to wait, when {@code key} is over its limit */
    public void acquire(String key) {
        int budget = perMinute;
        if (budget == 0) {
            return;
        }
        if (buckets.size() > MAX_TRACKED) {
            forgetIdle();
        }
        RateLimiter bucket = buckets.compute(key, (k, existing) ->
                existing != null && existing.perMinute() == budget ? existing : new RateLimiter(budget, clock));
        long retryAfter;
        synchronized (bucket) { // RateLimiter is single-threaded; REST requests of one user arrive on any loop
            if (bucket.tryAcquire()) {
                return;
            }
            retryAfter = bucket.retryAfterMillis();
        }
        throw new ProtocolException(ErrorCode.RATE_LIMITED,
                "more than " + budget + " " + what + " a minute; retry later", retryAfter);
    }

    /** A new budget per key per minute (0: no limit), from the next request on. */
    public void setPerMinute(int perMinute) {
        if (perMinute < 0) {
            throw new IllegalArgumentException("perMinute is 0 (off) or positive");
        }
        this.perMinute = perMinute;
    }

    private void forgetIdle() {
        buckets.values().removeIf(bucket -> {
            synchronized (bucket) {
                return bucket.isFull();
            }
        });
    }

    int tracked() {
        return buckets.size();
    }
}
