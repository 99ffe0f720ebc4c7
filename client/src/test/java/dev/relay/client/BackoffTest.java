package dev.relay.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {
    private static final Backoff DEFAULT = Backoff.DEFAULT;

    @Test
    void theCeilingDoublesFrom500MillisecondsAndStopsAt20Seconds() {
        assertThat(IntStream.range(0, 9).mapToObj(DEFAULT::ceiling).map(Duration::toMillis))
                .containsExactly(500L, 1000L, 2000L, 4000L, 8000L, 16000L, 20000L, 20000L, 20000L);
        assertThat(DEFAULT.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void fullJitterSpansTheWholeWindowFromZeroToTheCeiling() {
        assertThat(DEFAULT.delay(3, new FixedRandom(0.0))).isEqualTo(Duration.ZERO);
        assertThat(DEFAULT.delay(3, new FixedRandom(0.5))).isEqualTo(Duration.ofMillis(2000));
        assertThat(DEFAULT.delay(3, new FixedRandom(0.99999))).isEqualTo(Duration.ofMillis(4000));
        assertThat(DEFAULT.delay(30, new FixedRandom(0.99999))).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void aHugeMaximumDoesNotOverflow() {
        Backoff huge = new Backoff(Duration.ofMillis(1), Duration.ofDays(365_000_000L));
        assertThat(huge.ceiling(200)).isEqualTo(Duration.ofDays(365_000_000L));
        assertThat(huge.ceiling(10)).isEqualTo(Duration.ofMillis(1024));
    }

    @Test
    void theBoundsAreChecked() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max");
        assertThat(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).ceiling(5))
                .isEqualTo(Duration.ofSeconds(1));
    }
}
