package dev.relay.client;

import java.time.Duration;

/**
 * Where a {@link RelayClient} does its work. The client keeps its state unlocked and touches it only from tasks
 * run here, so an implementation must run tasks one at a time, in the order given (a single thread, or a test's
 * manual clock). Injectable so that tests move time instead of sleeping.
 */
public interface Scheduler {

    /** Runs {@code task} soon, after the tasks already queued. */
    void execute(Runnable task);

    /** Runs {@code task} after {@code delay}, unless cancelled first. */
    Cancellable schedule(Duration delay, Runnable task);

    /** Stops running tasks. A client calls it on close only for the scheduler it made itself. */
    default void shutdown() {
    }

    /** A scheduled task that may still be called off. */
    interface Cancellable {
        void cancel();
    }

    /** One daemon thread named {@code relay-client-N}: the default. */
    static Scheduler singleThread() {
        return new ThreadScheduler();
    }
}
