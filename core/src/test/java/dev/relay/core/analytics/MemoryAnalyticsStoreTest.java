package dev.relay.core.analytics;

import dev.relay.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryAnalyticsStoreTest extends AnalyticsStoreContract {
    private final MutableClock clock = new MutableClock(T0);

    @Override
    protected AnalyticsStore store() {
        return new MemoryAnalyticsStore(clock, Duration.ofDays(60)); // the contract reaches weeks back
    }

    @Test
    void keepsTheLastDayOnly() {
        AnalyticsStore store = new MemoryAnalyticsStore(clock, Duration.ofDays(1));
        store.write(batch("a", List.of(room(M0 - 24 * 60, "r", "too-old", 1), room(M0 - 24 * 60 + 1, "r", "kept", 1)),
                List.of(), List.of()));
        assertThat(store.activeUsers(M0 - 2 * 24 * 60, M0 + 1, null)).isEqualTo(1);

        clock.advance(Duration.ofMinutes(2)); // the next write forgets what the day has passed
        store.write(batch("a", List.of(room(M0 + 2, "r", "now", 1)), List.of(), List.of()));
        assertThat(store.topUsers(M0 - 2 * 24 * 60, M0 + 3, null, 10)).extracting(AnalyticsStore.UserRank::userId)
                .containsExactly("now");
    }
}
