package dev.relay.core.policy;

import dev.relay.core.testing.TestNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimiterTest {
    private final TestNanoClock clock = new TestNanoClock();

    @ParameterizedTest(name = "{0} a minute")
    @ValueSource(ints = {1, 3, 5, 60, 1000})
    void aFullBucketLetsNThroughThenRefusesUntilOneIntervalPasses(int perMinute) {
        RateLimiter limiter = new RateLimiter(perMinute, clock);
        long interval = Duration.ofMinutes(1).toNanos() / perMinute;

        for (int i = 0; i < perMinute; i++) {
            assertThat(limiter.tryAcquire()).as("message %d of %d", i + 1, perMinute).isTrue();
        }
        assertThat(limiter.tryAcquire()).as("message %d", perMinute + 1).isFalse();

        clock.advanceNanos(interval - 1);
        assertThat(limiter.tryAcquire()).as("a nanosecond before the refill").isFalse();
        clock.advanceNanos(1);
        assertThat(limiter.tryAcquire()).as("after one interval").isTrue();
        assertThat(limiter.tryAcquire()).as("and only one").isFalse();
    }

    @Test
    void refusedAttemptsDoNotConsumeTokens() {
        RateLimiter limiter = new RateLimiter(2, clock);
        limiter.tryAcquire();
        limiter.tryAcquire();
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire()).isFalse();
        }

        clock.advance(Duration.ofSeconds(30));

        assertThat(limiter.tryAcquire()).isTrue();
    }

    @Test
    void aLongIdleTimeRefillsNoMoreThanTheBurst() {
        RateLimiter limiter = new RateLimiter(3, clock);
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire();
        }

        clock.advance(Duration.ofHours(5));

        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire()).isTrue();
        }
        assertThat(limiter.tryAcquire()).isFalse();
    }

    @Test
    void partialIntervalsAddUp() {
        RateLimiter limiter = new RateLimiter(6, clock); // one token every 10 s
        for (int i = 0; i < 6; i++) {
            limiter.tryAcquire();
        }

        clock.advance(Duration.ofSeconds(4));
        assertThat(limiter.tryAcquire()).isFalse();
        clock.advance(Duration.ofSeconds(4));
        assertThat(limiter.tryAcquire()).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(limiter.tryAcquire()).isTrue();
    }

    @Test
    void unlimitedNeverRefuses() {
        RateLimiter limiter = RateLimiter.unlimited();
        for (int i = 0; i < 100_000; i++) {
            assertThat(limiter.tryAcquire()).isTrue();
        }
        assertThat(limiter.abusive()).isFalse();
        assertThat(limiter.retryAfterMillis()).isZero();
        // Shared by every session when rate limiting is off, which is only safe because nothing above changed it.
        assertThat(RateLimiter.unlimited()).isSameAs(limiter);
    }

    @Test
    void theRateMustBePositive() {
        assertThatThrownBy(() -> new RateLimiter(0, clock)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimiter(-1, clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
