package dev.relay.core.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands each event to every listener through a bounded queue of its own, drained by a virtual thread of its own.
 * {@link #publish} never blocks and takes no lock (a lock-free queue bounded by a counter): it is called on every
 * event loop, some inside a room's lock, and a queue lock would be one lock all of them contend for. A full queue
 * drops the event for that listener alone and counts it, so a slow or stuck listener costs its own events, never
 * delivery to sockets or to the other listeners. Each listener sees the events in the
 * order they were published (events published concurrently on different threads have no order between them).
 */
public final class EventStream implements AutoCloseable {
    /** Events that may wait for one listener before more are dropped; a few seconds of a busy server. */
    public static final int DEFAULT_CAPACITY = 10_000;
    private static final System.Logger LOG = System.getLogger(EventStream.class.getName());
    private static final EventStream NONE = new EventStream(List.of(), 1);

    private final List<Drain> drains;

    /**
     * Starts a drain thread per listener.
     *
     * @param capacity events each listener's queue holds; more are dropped for it
     */
    public EventStream(List<EventListener> listeners, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        Set<String> names = new HashSet<>();
        List<Drain> started = new ArrayList<>(listeners.size());
        for (EventListener listener : listeners) {
            if (!names.add(listener.name())) {
                throw new IllegalArgumentException("two event listeners are named '" + listener.name() + "'");
            }
            started.add(new Drain(listener, capacity));
        }
        this.drains = List.copyOf(started);
    }

    /** A stream with no listeners: publishing does nothing. */
    public static EventStream none() {
        return NONE;
    }

    /** True when no listener is registered; emitters skip building events then. */
    public boolean isEmpty() {
        return drains.isEmpty();
    }

    /** Queues the event for every listener; never blocks. */
    public void publish(RelayEvent event) {
        for (Drain drain : drains) {
            drain.offer(event);
        }
    }

    /** Each listener's counts, in registration order. */
    public List<ListenerStats> stats() {
        return drains.stream().map(Drain::stats).toList();
    }

    /**
     * Stops taking events, gives each listener up to {@code grace} to finish what is queued for it, then stops its
     * thread. Idempotent.
     */
    public void close(Duration grace) {
        drains.forEach(Drain::stop);
        long deadline = System.nanoTime() + grace.toNanos();
        for (Drain drain : drains) {
            drain.await(Math.max(0, deadline - System.nanoTime()));
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }

    /** One listener's queue and the thread that empties it. */
    private static final class Drain {
        private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
        private final EventListener listener;
        private final int capacity;
        /** Zero: publishers wake the thread; else it looks this often and nobody wakes it (a batching listener). */
        private final long batchNanos;
        private final ConcurrentLinkedQueue<RelayEvent> queue = new ConcurrentLinkedQueue<>();
        /** Events in the queue; reserved before adding, so the queue never holds more than the capacity. */
        private final AtomicInteger size = new AtomicInteger();
        private final AtomicLong delivered = new AtomicLong();
        private final AtomicLong dropped = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final Thread thread;
        private volatile boolean stopping;
        /** The drain found the queue empty and may park: a publisher then unparks it. */
        private volatile boolean idle;

        Drain(EventListener listener, int capacity) {
            this.listener = listener;
            this.capacity = capacity;
            this.batchNanos = Math.max(0, listener.batchDelay().toNanos());
            this.thread = Thread.ofVirtual().name("relay-events-" + listener.name()).start(this::run);
        }

        void offer(RelayEvent event) {
            if (stopping) {
                dropped.incrementAndGet();
                return;
            }
            if (size.incrementAndGet() > capacity) {
                size.decrementAndGet();
                dropped.incrementAndGet();
                return;
            }
            queue.add(event);
            if (idle && batchNanos == 0) {
                LockSupport.unpark(thread);
            }
        }

        private void run() {
            while (true) {
                RelayEvent event = queue.poll();
                if (event != null) {
                    size.decrementAndGet();
                    deliver(event);
                    continue;
                }
                if (stopping) {
                    return; // stopped and emptied
                }
                // Idle is published before the queue is checked again, and a publisher adds before it reads idle:
                // either this sees the event or the publisher sees idle and unparks. The timeout is a safety net.
                idle = true;
                if (queue.isEmpty() && !stopping) {
                    LockSupport.parkNanos(this, batchNanos == 0 ? IDLE_PARK_NANOS : batchNanos);
                }
                idle = false;
                if (Thread.interrupted()) {
                    return;
                }
            }
        }

        private void deliver(RelayEvent event) {
            try {
                listener.onEvent(event);
                delivered.incrementAndGet();
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable failure) {
                // Counted and logged; the drain goes on, or one bad event would silence the listener for good.
                failed.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "event listener " + listener.name() + " failed on "
                        + event.name(), failure);
            }
        }

        void stop() {
            stopping = true;
            LockSupport.unpark(thread);
        }

        void await(long nanos) {
            try {
                if (!thread.join(Duration.ofNanos(Math.max(1, nanos)))) {
                    thread.interrupt(); // a listener blocked past the grace period: its queued events are lost
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        ListenerStats stats() {
            return new ListenerStats(listener.name(), delivered.get(), dropped.get(), failed.get(), size.get());
        }
    }
}
