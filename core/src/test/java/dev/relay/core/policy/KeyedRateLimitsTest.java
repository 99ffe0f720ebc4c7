package dev.relay.core.policy;

import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.testing.TestNanoClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class KeyedRateLimitsTest {
    private final TestNanoClock clock = new TestNanoClock();

    @Test
    void eachKeyHasItsOwnBudgetAndARefusalSaysWhenToRetry() {
        KeyedRateLimits limits = new KeyedRateLimits(2, clock, "requests");
        limits.acquire("alice");
        limits.acquire("alice");
        ProtocolException refused = catchThrowableOfType(ProtocolException.class, () -> limits.acquire("alice"));
        assertThat(refused.code().code()).isEqualTo("rate_limited");
        assertThat(refused.retryAfterMillis()).isEqualTo(30_000);
        limits.acquire("bob");
        clock.advance(Duration.ofSeconds(30));
        limits.acquire("alice");
    }

    @Test
    void zeroMeansNoLimit() {
        KeyedRateLimits limits = new KeyedRateLimits(0, clock, "requests");
        for (int i = 0; i < 10_000; i++) {
            limits.acquire("alice");
        }
        assertThat(limits.tracked()).isZero();
    }

    @Test
    void idleKeysAreForgottenWhenManyAreTracked() {
        KeyedRateLimits limits = new KeyedRateLimits(1, clock, "requests");
        for (int i = 0; i <= KeyedRateLimits.MAX_TRACKED; i++) {
            limits.acquire("user-" + i);
        }
        clock.advance(Duration.ofMinutes(1));
        limits.acquire("one-more");
        assertThat(limits.tracked()).isEqualTo(1);
        assertThatThrownBy(() -> limits.acquire("one-more")).isInstanceOf(ProtocolException.class);
    }
}
