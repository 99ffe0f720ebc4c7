package dev.relay.server.observe;

import ch.qos.logback.classic.Level;
import dev.relay.server.config.AlertConfig;
import dev.relay.server.testing.LogCapture;
import dev.relay.server.testing.SettableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each alert on both sides of its threshold: at the threshold nothing fires, just above it fires once (an ALERT
 * line and a change), and back at the threshold it clears once.
 */
class AlertsTest {
    private static final AlertConfig CONFIG = new AlertConfig(0.9, Duration.ofMillis(100), 0.05, 0.85,
            Duration.ofSeconds(15), Optional.empty(), Duration.ofMinutes(5));

    private final Samples samples = new Samples();
    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<AlertChange> changes = new ArrayList<>();
    private final Alerts alerts = new Alerts(CONFIG, samples, clock, changes::add);

    @Test
    void connectionsFireAboveTheRatioOfMaxConnectionsAndClearAtIt() {
        try (LogCapture log = LogCapture.of(Alerts.class)) {
            samples.connections = 90; // exactly 0.9 of 100
            alerts.check();
            assertThat(alerts.isFiring(Alerts.CONNECTIONS)).isFalse();
            assertThat(log.messages()).isEmpty();

            samples.connections = 91;
            alerts.check();
            alerts.check(); // still over: no second line
            assertThat(alerts.isFiring(Alerts.CONNECTIONS)).isTrue();

            samples.connections = 90;
            alerts.check();
            assertThat(alerts.isFiring(Alerts.CONNECTIONS)).isFalse();

            assertThat(log.messages()).containsExactly(
                    "ALERT firing alert=connections value=0.910 threshold=0.900 detail=\"91 of 100 connections\"",
                    "ALERT cleared alert=connections value=0.900 threshold=0.900 detail=\"90 of 100 connections\"");
            assertThat(log.events()).extracting(event -> event.getLevel()).containsExactly(Level.WARN, Level.INFO);
            assertThat(changes).extracting(AlertChange::alert, AlertChange::firing)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("connections", true),
                            org.assertj.core.groups.Tuple.tuple("connections", false));
        }
    }

    @Test
    void latencyFiresAboveTheP99Threshold() {
        samples.latencyP99 = Duration.ofMillis(100);
        alerts.check();
        assertThat(alerts.isFiring(Alerts.LATENCY_P99)).isFalse();

        samples.latencyP99 = Duration.ofMillis(101);
        alerts.check();
        assertThat(alerts.isFiring(Alerts.LATENCY_P99)).isTrue();
        assertThat(changes.getLast().value()).isEqualTo(101.0);
        assertThat(changes.getLast().threshold()).isEqualTo(100.0);

        samples.latencyP99 = Duration.ofMillis(2);
        alerts.check();
        assertThat(alerts.isFiring(Alerts.LATENCY_P99)).isFalse();
    }

    @Test
    void latencyIsNotJudgedWhenItIsNotMeasured() {
        samples.latencyP99 = null;
        alerts.check();

        assertThat(alerts.isFiring(Alerts.LATENCY_P99)).isFalse();
        assertThat(changes).isEmpty();
    }

    @Test
    void errorRateIsJudgedPerIntervalAboveTheThreshold() {
        samples.handled = 100;
        samples.failed = 5; // exactly 5 %
        alerts.check();
        assertThat(alerts.isFiring(Alerts.ERROR_RATE)).isFalse();

        samples.handled = 200;
        samples.failed = 11; // 6 of the interval's 100
        alerts.check();
        assertThat(alerts.isFiring(Alerts.ERROR_RATE)).isTrue();
        assertThat(changes.getLast().detail()).isEqualTo("6 of 100 calls failed");

        samples.handled = 300;
        samples.failed = 11; // a clean interval
        alerts.check();
        assertThat(alerts.isFiring(Alerts.ERROR_RATE)).isFalse();
    }

    @Test
    void tooFewCallsSayNothingAboutTheErrorRate() {
        samples.handled = Alerts.MIN_CALLS_FOR_ERROR_RATE - 1;
        samples.failed = Alerts.MIN_CALLS_FOR_ERROR_RATE - 1; // every call failed, but there were only 19
        alerts.check();
        assertThat(alerts.isFiring(Alerts.ERROR_RATE)).isFalse();

        samples.handled += Alerts.MIN_CALLS_FOR_ERROR_RATE;
        samples.failed += Alerts.MIN_CALLS_FOR_ERROR_RATE;
        alerts.check();
        assertThat(alerts.isFiring(Alerts.ERROR_RATE)).isTrue();
    }

    @Test
    void heapFiresAboveTheRatioOfTheMaximum() {
        samples.heapMax = 1000;
        samples.heapUsed = 850;
        alerts.check();
        assertThat(alerts.isFiring(Alerts.HEAP)).isFalse();

        samples.heapUsed = 851;
        alerts.check();
        assertThat(alerts.isFiring(Alerts.HEAP)).isTrue();

        samples.heapUsed = 500;
        alerts.check();
        assertThat(alerts.isFiring(Alerts.HEAP)).isFalse();
        assertThat(changes).extracting(AlertChange::status).containsExactly("firing", "cleared");
    }

    @Test
    void changesCarryTheTimeOfTheCheck() {
        clock.advance(Duration.ofHours(1));
        samples.connections = 100;
        alerts.check();

        assertThat(changes.getLast().at()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
    }
}
