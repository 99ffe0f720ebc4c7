package dev.relay.core.testing;

import dev.relay.core.policy.RateLimiter;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@code nanoTime} source that moves only when a test moves it. Starts far from zero, as real ones do. */
public final class TestNanoClock implements RateLimiter.NanoClock {
    private final AtomicLong now = new AtomicLong(7_000_000_000_000L);

    @Override
    public long nanoTime() {
        return now.get();
    }

    public void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    public void advanceNanos(long nanos) {
        now.addAndGet(nanos);
    }
}
