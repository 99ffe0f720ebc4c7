package dev.relay.client;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

    /** Stops running tasks; called by the client it was made for when that client closes. */
    default void shutdown() {
    }

    /** A scheduled task that may still be called off. */
    interface Cancellable {
        void cancel();
    }

    /** One daemon thread named {@code relay-client-N}. */
    static Scheduler singleThread() {
        return new ThreadScheduler();
    }

    /** The default: one daemon thread per client. */
    final class ThreadScheduler implements Scheduler {
        private static final AtomicInteger COUNT = new AtomicInteger();
        private final ScheduledThreadPoolExecutor executor;

        private ThreadScheduler() {
            executor = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, "relay-client-" + COUNT.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        }

        @Override
        public void execute(Runnable task) {
            executor.execute(task);
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            var future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        }

        @Override
        public void shutdown() {
            executor.shutdown();
        }
    }
}
