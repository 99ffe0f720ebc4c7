package dev.relay.core;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers recently accepted client message ids per user, so a retry of the same id is acknowledged again instead
 * of being delivered twice. Two generations, each at most {@code window} long: an id is remembered for at least one
 * window and at most two. A generation that fills up early is retired early, which bounds memory under any load at
 * the cost of a shorter memory for ids during a flood.
 */
final class RetryLedger {
    private final long windowMillis;
    private final int maxPerGeneration;
    private final Clock clock;
    private volatile Generation current;
    private volatile Generation previous;

    private record Generation(long startedAt, ConcurrentHashMap<String, Published> accepted) {
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
     * Reserves {@code key} for a message about to be published as {@code pending}; returns null when the key is new,
     * or what an earlier attempt with the same key was (or is being) published as.
     */
    Published reserve(String key, Published pending) {
        if (windowMillis == 0) {
            return null;
        }
        long time = clock.millis();
        Generation now = rotateIfDue(time);
        Generation old = previous;
        // Rotation happens only on a reservation, so after a quiet spell the previous generation can be far older
        // than two windows: it is consulted only while it is younger than that.
        Published earlier = time - old.startedAt() < 2 * windowMillis ? old.accepted().get(key) : null;
        if (earlier != null) {
            return earlier;
        }
        return now.accepted().putIfAbsent(key, pending);
    }

    /** Records what the reserved message was published as. */
    void complete(String key, Published published) {
        if (windowMillis != 0) {
            // The reservation may have moved to the previous generation in a rotation since.
            current.accepted().replace(key, published);
            previous.accepted().replace(key, published);
        }
    }

    /** Forgets a reservation whose message was refused, so a retry is handled afresh. */
    void release(String key) {
        if (windowMillis != 0) {
            current.accepted().remove(key);
            previous.accepted().remove(key);
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
