package dev.relay.core;

import dev.relay.core.cluster.Published;
import dev.relay.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retry ledger: a reserved key answers the first attempt's outcome, pending or complete; an id is remembered for
 * at least one window and at most two; a full generation retires early.
 */
class RetryLedgerTest {
    private static final Instant START = Instant.parse("2025-03-01T08:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(2);

    private final MutableClock clock = new MutableClock(START);
    private final RetryLedger ledger = new RetryLedger(WINDOW, 1000, clock);

    @Test
    void aNewKeyIsReservedAndARetryGetsThePendingAttempt() {
        CompletableFuture<Published> first = attempt();

        assertThat(ledger.reserve("alice\nm-1", first)).isNull();
        CompletableFuture<Published> retry = ledger.reserve("alice\nm-1", attempt());
        assertThat(retry).isSameAs(first).isNotDone();
        assertThat(ledger.reserve("bob\nm-1", attempt())).as("another key").isNull();
    }

    @Test
    void aRetryOfAPendingAttemptLearnsItsOutcomeWhenTheAttemptCompletes() {
        CompletableFuture<Published> first = attempt();
        ledger.reserve("alice\nm-1", first);
        CompletableFuture<Published> retry = ledger.reserve("alice\nm-1", attempt());

        first.complete(published("P1", 7L));

        assertThat(retry.join().seq()).isEqualTo(7L);
        assertThat(ledger.reserve("alice\nm-1", attempt()).join()).isEqualTo(published("P1", 7L));
    }

    @Test
    void aReleasedKeyCanBeReservedAfresh() {
        CompletableFuture<Published> first = attempt();
        ledger.reserve("alice\nm-1", first);

        ledger.release("alice\nm-1", first);
        CompletableFuture<Published> second = attempt();

        assertThat(ledger.reserve("alice\nm-1", second)).isNull();
        assertThat(ledger.reserve("alice\nm-1", attempt())).isSameAs(second);
    }

    @Test
    void releasingAnOlderAttemptLeavesANewerReservationAlone() {
        CompletableFuture<Published> first = attempt();
        ledger.reserve("alice\nm-1", first);
        ledger.release("alice\nm-1", first);
        CompletableFuture<Published> second = attempt();
        ledger.reserve("alice\nm-1", second);

        ledger.release("alice\nm-1", first); // a late second release of the first attempt

        assertThat(ledger.reserve("alice\nm-1", attempt())).isSameAs(second);
    }

    @Test
    void aKeyIsRememberedAcrossOneRotation() {
        CompletableFuture<Published> first = attempt();
        ledger.reserve("alice\nm-1", first);

        clock.advance(WINDOW.minusMillis(1));
        assertThat(ledger.reserve("alice\nm-1", attempt())).as("still the first generation").isSameAs(first);

        clock.advance(Duration.ofMillis(1)); // one window: the generation rotates and becomes the previous one
        assertThat(ledger.reserve("alice\nm-1", attempt())).isSameAs(first);
    }

    @Test
    void releasingAfterARotationStillForgetsTheAttempt() {
        CompletableFuture<Published> first = attempt();
        ledger.reserve("alice\nm-1", first);
        clock.advance(WINDOW);
        ledger.reserve("other", attempt()); // rotates: the reservation is in the previous generation now

        ledger.release("alice\nm-1", first);

        assertThat(ledger.reserve("alice\nm-1", attempt())).isNull();
    }

    @Test
    void aKeyIsForgottenAfterTwoRotations() {
        ledger.reserve("alice\nm-1", attempt());
        clock.advance(WINDOW);
        ledger.reserve("other-1", attempt());
        clock.advance(WINDOW);
        ledger.reserve("other-2", attempt());

        assertThat(ledger.reserve("alice\nm-1", attempt())).isNull();
    }

    @Test
    void aKeyIsForgottenTwoWindowsAfterItsGenerationStartedEvenWithoutCallsInBetween() {
        CompletableFuture<Published> first = attempt();
        ledger.reserve("alice\nm-1", first);

        clock.set(START.plus(WINDOW.multipliedBy(2)).minusMillis(1));
        assertThat(ledger.reserve("alice\nm-1", attempt())).as("just under two windows").isSameAs(first);

        clock.set(START.plus(WINDOW.multipliedBy(2)));
        assertThat(ledger.reserve("alice\nm-1", attempt())).as("two windows").isNull();
    }

    @Test
    void aKeyIsNotRememberedForeverWhenTheLedgerIsIdle() {
        ledger.reserve("alice\nm-1", attempt());

        clock.advance(Duration.ofHours(8)); // a quiet night: no reservation rotated the ledger in between

        assertThat(ledger.reserve("alice\nm-1", attempt())).isNull();
    }

    @Test
    void aZeroWindowTurnsTheLedgerOff() {
        RetryLedger off = new RetryLedger(Duration.ZERO, 1000, clock);
        CompletableFuture<Published> first = attempt();

        assertThat(off.reserve("alice\nm-1", first)).isNull();
        first.complete(published("P1", 1L));
        assertThat(off.reserve("alice\nm-1", attempt())).isNull();
        off.release("alice\nm-1", first);
        assertThat(off.reserve("alice\nm-1", attempt())).isNull();
    }

    @Test
    void aFullGenerationRetiresEarlyWithoutTheClockMoving() {
        RetryLedger small = new RetryLedger(WINDOW, 2, clock);
        CompletableFuture<Published> first = attempt();
        small.reserve("k1", first);
        small.reserve("k2", attempt()); // the generation is full now

        small.reserve("k3", attempt()); // rotates: k1, k2 are the previous generation
        assertThat(small.reserve("k1", attempt())).as("one rotation: still known").isSameAs(first);

        small.reserve("k4", attempt()); // k3, k4 fill the new generation
        small.reserve("k5", attempt()); // rotates again: k1, k2 are dropped

        assertThat(small.reserve("k3", attempt())).as("one rotation: still known").isNotNull();
        assertThat(small.reserve("k1", attempt())).as("two rotations: forgotten").isNull();
    }

    private static CompletableFuture<Published> attempt() {
        return new CompletableFuture<>();
    }

    private Published published(String id, Long seq) {
        return new Published(id, clock.instant(), seq);
    }
}
