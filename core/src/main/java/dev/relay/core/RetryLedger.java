package dev.relay.core;

import dev.relay.core.cluster.Published;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers recently accepted client message ids per user, so a retry of the same id is acknowledged again instead
 * of being delivered twice. Two generations, each at most {@code window} long: an id is remembered for at least one
 * window and at most two. A generation that fills up early is retired early, which bounds memory under any load at
 * the cost of a shorter memory for ids during a flood.
 *
 * <p>What is remembered is the attempt's future, not its result: a retry that arrives while the first attempt is
 * still waiting (for the store, with {@code ack_after_persist}) gets the first attempt's outcome when it is known,
 * never an early ack for a message that might yet fail.
 */
final class RetryLedger {
    private final long windowMillis;
    private final int maxPerGeneration;
    private final Clock clock;
    private volatile Generation current;
    private volatile Generation previous;

    private record Generation(long startedAt, ConcurrentHashMap<String, CompletableFuture<Published>> accepted) {
        Generation(long startedAt) {
            this(startedAt, new ConcurrentHashMap<>());
        }
    }

    /** @param window how long a retry is recognised; zero turns the ledger off */
    RetryLedger(Duration window, int maxPerGeneration, Clock clock) {
        this.windowMillis = window.toMillis();
        this.maxPerGeneration = maxPerGeneration;
        this.clock = clock;
        this.current = new Generation(clock.millis());
        this.previous = new Generation(clock.millis());
    }

    /**
     * Reserves {@code key} for an attempt whose outcome {@code attempt} will carry; returns null when the key is new,
     * or the outcome of an earlier attempt with the same key, complete or still pending.
     */
    CompletableFuture<Published> reserve(String key, CompletableFuture<Published> attempt) {
        if (windowMillis == 0) {
            return null;
        }
        long time = clock.millis();
        Generation now = rotateIfDue(time);
        Generation old = previous;
        // Rotation happens only on a reservation, so after a quiet spell the previous generation can be far older
        // than two windows: it is consulted only while it is younger than that.
        CompletableFuture<Published> earlier = time - old.startedAt() < 2 * windowMillis
                ? old.accepted().get(key) : null;
        if (earlier != null) {
            return earlier;
        }
        return now.accepted().putIfAbsent(key, attempt);
    }

    /**
     * Forgets the reservation {@code attempt} holds, when its message was refused, so a later retry is handled
     * afresh; a reservation another attempt made since is left alone.
     */
    void release(String key, CompletableFuture<Published> attempt) {
        if (windowMillis != 0) {
            // The reservation may have moved to the previous generation in a rotation since.
            current.accepted().remove(key, attempt);
            previous.accepted().remove(key, attempt);
        }
    }

    private Generation rotateIfDue(long time) {
        Generation now = current;
        if (time - now.startedAt() < windowMillis && now.accepted().size() < maxPerGeneration) {
            return now;
        }
        synchronized (this) {
            if (current == now) {
                previous = now;
                current = new Generation(time);
            }
            return current;
        }
    }
}
