package dev.relay.client;

import java.time.Duration;
import java.util.PriorityQueue;

/** A scheduler on a clock the test moves: tasks run on the test's thread, in time order, when they are due. */
final class ManualScheduler implements Scheduler {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long nowMillis;
    private long order;
    private boolean running;

    private static final class Task implements Comparable<Task> {
        final long due;
        final long order;
        final Runnable action;
        boolean cancelled;

        Task(long due, long order, Runnable action) {
            this.due = due;
            this.order = order;
            this.action = action;
        }

        @Override
        public int compareTo(Task other) {
            return due != other.due ? Long.compare(due, other.due) : Long.compare(order, other.order);
        }
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(new Task(nowMillis, order++, task));
        runDue();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Task scheduled = new Task(nowMillis + delay.toMillis(), order++, task);
        tasks.add(scheduled);
        return () -> scheduled.cancelled = true;
    }

    /** Moves the clock forward, running whatever falls due on the way, in order. */
    void advance(Duration by) {
        long target = nowMillis + by.toMillis();
        while (!tasks.isEmpty() && tasks.peek().due <= target) {
            nowMillis = Math.max(nowMillis, tasks.peek().due);
            runDue();
        }
        nowMillis = target;
    }

    private void runDue() {
        if (running) {
            return; // a task that queues a task: it runs after this one, from the loop below
        }
        running = true;
        try {
            while (!tasks.isEmpty() && tasks.peek().due <= nowMillis) {
                Task task = tasks.poll();
                if (!task.cancelled) {
                    task.action.run();
                }
            }
        } finally {
            running = false;
        }
    }
}
