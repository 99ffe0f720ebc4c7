package dev.relay.server.observe;

import dev.relay.server.testing.LogCapture;
import dev.relay.server.testing.SettableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The PERFORMANCE line: its fields, rates over the time since the last line, and what is left out. */
class StatisticsTest {
    private final Samples samples = new Samples();
    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void logsOneTaggedLineWithRatesOverTheInterval() {
        Statistics statistics = new Statistics(samples, clock);
        samples.connections = 12;
        samples.users = 10;
        samples.messagesIn = 300;
        samples.messagesOut = 1200;
        samples.latencyP50 = Duration.ofNanos(420_000);
        samples.latencyP99 = Duration.ofMillis(3);
        samples.heapUsed = 64L * 1024 * 1024;
        clock.advance(Duration.ofMinutes(1));

        try (LogCapture log = LogCapture.of(Statistics.class)) {
            statistics.report();

            assertThat(log.messages()).containsExactly("PERFORMANCE connections=12 users=10 rooms=3"
                    + " messages_in_per_s=5.00 messages_out_per_s=20.00 latency_p50_ms=0.420 latency_p99_ms=3.000"
                    + " heap_used_mb=64 heap_max_mb=100");
        }
    }

    @Test
    void eachLineCountsOnlyWhatHappenedSinceThePreviousOne() {
        Statistics statistics = new Statistics(samples, clock);
        samples.messagesIn = 100;
        clock.advance(Duration.ofSeconds(10));
        assertThat(statistics.report()).contains("messages_in_per_s=10.00");

        samples.messagesIn = 150;
        clock.advance(Duration.ofSeconds(25));
        assertThat(statistics.report()).contains("messages_in_per_s=2.00");

        clock.advance(Duration.ofSeconds(5));
        assertThat(statistics.report()).contains("messages_in_per_s=0.00");
    }

    @Test
    void withoutLatencyOrAHeapLimitThoseFieldsAreADash() {
        samples.latencyP50 = null;
        samples.latencyP99 = null;
        samples.heapMax = -1;
        Statistics statistics = new Statistics(samples, clock);
        clock.advance(Duration.ofSeconds(1));

        assertThat(statistics.report()).contains("latency_p50_ms=- latency_p99_ms=-").endsWith("heap_max_mb=-");
    }
}
