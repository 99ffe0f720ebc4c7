package dev.relay.core.testing;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A single-threaded executor standing in for an event loop. Tests hand work to it with {@link #call} and
 * {@link #run}, wait for it with {@link #sync()} (never with sleeps), and can {@link #block()} it to let work pile
 * up. Test connections report calls made from the wrong thread here, so a test can fail on them at the end.
 */
public final class TestLoop implements Executor, AutoCloseable {
    private static final long TIMEOUT_SECONDS = 10;

    private final String name;
    private final ThreadPoolExecutor pool;
    private volatile Thread thread;
    /** Tasks other than this class's own sync no-ops that have completed. */
    private final AtomicLong executed = new AtomicLong();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    public TestLoop(String name) {
        this.name = name;
        this.pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        pool.prestartAllCoreThreads();
    }

    public String name() {
        return name;
    }

    @Override
    public void execute(Runnable task) {
        pool.execute(() -> {
            try {
                task.run();
            } catch (Throwable escaped) {
                // Nothing the core hands an executor may throw: an event loop would only log it.
                violation("a task threw " + escaped);
            } finally {
                executed.incrementAndGet();
            }
        });
    }

    /** Runs the callable on the loop and waits for it; an exception it throws is rethrown here, unwrapped. */
    public <T> T call(Callable<T> task) {
        return await(pool.submit(() -> {
            try {
                return task.call();
            } finally {
                executed.incrementAndGet();
            }
        }));
    }

    /** Runs the task on the loop and waits for it; an exception it throws is rethrown here, unwrapped. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Waits until nothing is queued on this loop: queues a no-op, waits for it, and repeats while other tasks were
     * queued behind it (a delivery lane that hit its batch limit reschedules itself).
     */
    public void sync() {
        if (pool.isShutdown()) {
            return; // a closed loop runs nothing more
        }
        while (true) {
            boolean idle = await(pool.submit(() -> pool.getQueue().isEmpty()));
            if (idle) {
                return;
            }
        }
    }

    /** Tasks run on this loop so far, not counting {@link #sync()}'s own. */
    public long executedTasks() {
        return executed.get();
    }

    /**
     * Occupies the loop until the returned latch is counted down, so tasks queue up behind it. Returns once the
     * loop is actually blocked.
     */
    public CountDownLatch block() {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        pool.execute(() -> {
            blocked.countDown();
            try {
                if (!release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    violation("the loop was blocked and never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            if (!blocked.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " did not start the blocking task");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return release;
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Records a broken threading rule; {@link #violations()} is checked when the test ends. */
    public void violation(String what) {
        violations.add(what + " (on thread " + Thread.currentThread().getName() + ")");
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    @Override
    public String toString() {
        return "TestLoop[" + name + "]";
    }

    /**
     * Waits until every loop is quiet at once: syncs each in turn and repeats until a whole round ran none of their
     * tasks, since work on one loop can queue deliveries on another.
     */
    public static void syncAll(List<TestLoop> loops) {
        while (true) {
            long before = loops.stream().mapToLong(TestLoop::executedTasks).sum();
            loops.forEach(TestLoop::sync);
            long after = loops.stream().mapToLong(TestLoop::executedTasks).sum();
            if (before == after) {
                return;
            }
        }
    }

    private static <T> T await(java.util.concurrent.Future<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new AssertionError("the loop did not finish the task within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
