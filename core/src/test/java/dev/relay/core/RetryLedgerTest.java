package dev.relay.core;

import dev.relay.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retry ledger: a reserved key answers what it was (or is being) published as; an id is remembered for at least
 * one window and at most two; a full generation retires early.
 */
class RetryLedgerTest {
    private static final Instant START = Instant.parse("2025-03-01T08:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(2);

    private final MutableClock clock = new MutableClock(START);
    private final RetryLedger ledger = new RetryLedger(WINDOW, 1000, clock);

    @Test
    void aNewKeyIsReservedAndARetryGetsThePendingAttempt() {
        Published pending = published("P1", null);

        assertThat(ledger.reserve("alice\nm-1", pending)).isNull();
        assertThat(ledger.reserve("alice\nm-1", published("P2", null))).isSameAs(pending);
        assertThat(ledger.reserve("bob\nm-1", published("P3", null))).as("another key").isNull();
    }

    @Test
    void aCompletedKeyAnswersWhatItWasPublishedAs() {
        ledger.reserve("alice\nm-1", published("P1", null));
        Published placed = published("P1", 7L);

        ledger.complete("alice\nm-1", placed);

        assertThat(ledger.reserve("alice\nm-1", published("P2", null))).isEqualTo(placed)
                .extracting(Published::seq).isEqualTo(7L);
    }

    @Test
    void aReleasedKeyCanBeReservedAfresh() {
        ledger.reserve("alice\nm-1", published("P1", null));

        ledger.release("alice\nm-1");
        Published second = published("P2", null);

        assertThat(ledger.reserve("alice\nm-1", second)).isNull();
        assertThat(ledger.reserve("alice\nm-1", published("P3", null))).isSameAs(second);
    }

    @Test
    void aKeyIsRememberedAcrossOneRotation() {
        Published first = published("P1", null);
        ledger.reserve("alice\nm-1", first);

        clock.advance(WINDOW.minusMillis(1));
        assertThat(ledger.reserve("alice\nm-1", published("P2", null))).as("still the first generation")
                .isSameAs(first);

        clock.advance(Duration.ofMillis(1)); // one window: the generation rotates and becomes the previous one
        assertThat(ledger.reserve("alice\nm-1", published("P3", null))).isSameAs(first);
    }

    @Test
    void completingAfterARotationStillUpdatesTheRememberedAttempt() {
        ledger.reserve("alice\nm-1", published("P1", null));
        clock.advance(WINDOW);
        ledger.reserve("other", published("P9", null)); // rotates: the reservation is in the previous generation now
        Published placed = published("P1", 3L);

        ledger.complete("alice\nm-1", placed);

        assertThat(ledger.reserve("alice\nm-1", published("P2", null))).isEqualTo(placed);
    }

    @Test
    void aKeyIsForgottenAfterTwoRotations() {
        ledger.reserve("alice\nm-1", published("P1", null));
        clock.advance(WINDOW);
        ledger.reserve("other-1", published("P8", null));
        clock.advance(WINDOW);
        ledger.reserve("other-2", published("P9", null));

        assertThat(ledger.reserve("alice\nm-1", published("P2", null))).isNull();
    }

    @Test
    void aKeyIsForgottenTwoWindowsAfterItsGenerationStartedEvenWithoutCallsInBetween() {
        Published first = published("P1", null);
        ledger.reserve("alice\nm-1", first);

        clock.set(START.plus(WINDOW.multipliedBy(2)).minusMillis(1));
        assertThat(ledger.reserve("alice\nm-1", published("P2", null))).as("just under two windows").isSameAs(first);

        clock.set(START.plus(WINDOW.multipliedBy(2)));
        assertThat(ledger.reserve("alice\nm-1", published("P3", null))).as("two windows").isNull();
    }

    @Test
    void aKeyIsNotRememberedForeverWhenTheLedgerIsIdle() {
        ledger.reserve("alice\nm-1", published("P1", null));

        clock.advance(Duration.ofHours(8)); // a quiet night: no reservation rotated the ledger in between

        assertThat(ledger.reserve("alice\nm-1", published("P2", null))).isNull();
    }

    @Test
    void aZeroWindowTurnsTheLedgerOff() {
        RetryLedger off = new RetryLedger(Duration.ZERO, 1000, clock);

        assertThat(off.reserve("alice\nm-1", published("P1", null))).isNull();
        off.complete("alice\nm-1", published("P1", 1L));
        assertThat(off.reserve("alice\nm-1", published("P2", null))).isNull();
        off.release("alice\nm-1");
        assertThat(off.reserve("alice\nm-1", published("P3", null))).isNull();
    }

    @Test
    void aFullGenerationRetiresEarlyWithoutTheClockMoving() {
        RetryLedger small = new RetryLedger(WINDOW, 2, clock);
        Published first = published("P1", null);
        small.reserve("k1", first);
        small.reserve("k2", published("P2", null)); // the generation is full now

        small.reserve("k3", published("P3", null)); // rotates: k1, k2 are the previous generation
        assertThat(small.reserve("k1", published("X", null))).as("one rotation: still known").isSameAs(first);

        small.reserve("k4", published("P4", null)); // k3, k4 fill the new generation
        small.reserve("k5", published("P5", null)); // rotates again: k1, k2 are dropped

        assertThat(small.reserve("k3", published("X", null))).as("one rotation: still known").isNotNull();
        assertThat(small.reserve("k1", published("X", null))).as("two rotations: forgotten").isNull();
    }

    private Published published(String id, Long seq) {
        return new Published(id, clock.instant(), seq);
    }
}
