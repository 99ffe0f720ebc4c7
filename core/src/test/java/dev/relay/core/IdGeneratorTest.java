package dev.relay.core;

import dev.relay.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class IdGeneratorTest {
    private static final String CROCKFORD = "[0-9A-HJKMNP-TV-Z]{20}";

    @Test
    void idsAreUniqueAndTwentyCrockfordCharacters() {
        IdGenerator ids = new IdGenerator(new MutableClock(Instant.parse("2025-03-01T08:00:00Z")));
        int count = 100_000;
        Set<String> seen = new HashSet<>(count * 2);

        for (int i = 0; i < count; i++) {
            String id = ids.next();
            assertThat(id).matches(CROCKFORD);
            seen.add(id);
        }

        assertThat(seen).hasSize(count);
    }

    @Test
    void idsIncreaseWithTheClock() {
        MutableClock clock = new MutableClock(Instant.parse("2025-03-01T08:00:00Z"));
        IdGenerator ids = new IdGenerator(clock);
        List<String> issued = new ArrayList<>();

        for (Duration step : List.of(Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1),
                Duration.ofDays(400), Duration.ofMillis(1))) {
            issued.add(ids.next());
            clock.advance(step);
        }
        issued.add(ids.next());

        assertThat(issued).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void theClockOutweighsTheCounter() {
        MutableClock clock = new MutableClock(Instant.parse("2025-03-01T08:00:00Z"));
        IdGenerator ids = new IdGenerator(clock);
        for (int i = 0; i < 1_000; i++) {
            ids.next();
        }
        String late = ids.next();
        IdGenerator fresh = new IdGenerator(clock);
        clock.advance(Duration.ofMillis(1));

        assertThat(fresh.next()).as("a later millisecond sorts after, whatever the counters")
                .isGreaterThan(late);
    }

    @Test
    void idsWithinOneMillisecondIncreaseToo() {
        IdGenerator ids = new IdGenerator(new MutableClock(Instant.parse("2025-03-01T08:00:00Z")));
        List<String> issued = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            issued.add(ids.next());
        }
        assertThat(issued).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void theFirstTenCharactersEncodeTheMilliseconds() {
        Instant at = Instant.parse("2025-03-01T08:00:00.123Z");
        String id = new IdGenerator(new MutableClock(at)).next();

        assertThat(decode(id.substring(0, 10))).isEqualTo(at.toEpochMilli());
    }

    private static long decode(String crockford) {
        String alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        long value = 0;
        for (char c : crockford.toCharArray()) {
            value = value * 32 + alphabet.indexOf(c);
        }
        return value;
    }
}
