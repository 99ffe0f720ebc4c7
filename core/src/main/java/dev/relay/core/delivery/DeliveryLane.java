package dev.relay.core.delivery;

import dev.relay.core.codec.EncodedFrame;

import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The write side of one executor (event loop). Publishers on any thread queue deliveries; one task at a time drains
 * them on the executor, writes each frame to its recipients without flushing, then flushes every touched connection
 * once. Under load many messages share one task and one flush per connection; when idle a message costs one task.
 * A thread that has several messages in hand (an engine's inbound thread) can hold the lanes' wakeups until it has
 * queued them all ({@link #holdingWakeups}), so the loops do not start on the first while the rest are on their way.
 * A reply to one connection can go the same way ({@link Outbox#send}), to share its flush.
 */
public final class DeliveryLane implements Runnable {
    /** Deliveries handled per task before yielding the executor back to I/O. */
    private static final int BATCH_LIMIT = 256;
    private static final System.Logger LOG = System.getLogger(DeliveryLane.class.getName());
    /** The lanes this thread has queued on while holding their wakeups ({@link #holdingWakeups}); usually unset. */
    private static final ThreadLocal<HeldWakeups> HELD = new ThreadLocal<>();

    private final Executor executor;
    private final int queueLimit;
    private final Queue<Delivery> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final LaneObserver observer;
    private final LongSupplier nanoClock;
    private final boolean timed;

    // Touched only on the executor.
    private Outbox[] dirty = new Outbox[16];
    private int dirtyCount;
    private long stamp;
    private int writes;
    private long writtenBytes;
    /** When each delivery of the running batch was queued; null when the observer does not time deliveries. */
    private final long[] batchAccepted;

    /**
     * @param queueLimit deliveries that may wait on this lane before publishers are refused; bounds the memory a
     *                   saturated event loop can accumulate
     */
    public DeliveryLane(Executor executor, int queueLimit) {
        this(executor, queueLimit, LaneObserver.NONE, System::nanoTime);
    }

    /**
     * @param observer  told after each flushed batch how many frames were written and, if it times deliveries, when
     *                  each delivery was queued
     * @param nanoClock {@link System#nanoTime()} or a test's clock, read only when the observer times deliveries
     */
    public DeliveryLane(Executor executor, int queueLimit, LaneObserver observer, LongSupplier nanoClock) {
        if (queueLimit < 1) {
            throw new IllegalArgumentException("queueLimit must be positive");
        }
        this.executor = executor;
        this.queueLimit = queueLimit;
        this.observer = observer;
        this.nanoClock = nanoClock;
        this.timed = observer.timesDeliveries();
        this.batchAccepted = timed ? new long[BATCH_LIMIT] : null;
    }

    /** The delivery state for a connection owned by this lane's executor. */
    public Outbox outboxFor(Connection connection) {
        return new Outbox(connection, this);
    }

    public Executor executor() {
        return executor;
    }

    /** Deliveries waiting to be written. */
    public int queued() {
        return queued.get();
    }

    /** The time a delivery queued now is stamped with: the nano clock when deliveries are timed, else 0. */
    long stamp() {
        return timed ? nanoClock.getAsLong() : 0L;
    }

    boolean hasRoom() {
        return queued.get() < queueLimit;
    }

    void submit(Delivery delivery) {
        delivery.frame().retain();
        queued.incrementAndGet();
        queue.offer(delivery);
        HeldWakeups held = HELD.get();
        if (held != null) {
            held.add(this);
        } else {
            schedule();
        }
    }

    /**
     * Runs {@code work} with the wakeups of the lanes it queues deliveries on held back until it ends, then wakes
     * each of them once. For a thread that hands over several messages it already has, so every lane takes them all
     * in one run (one flush per connection) instead of starting on the first while the rest are still coming.
     */
    public static void holdingWakeups(Runnable work) {
        if (HELD.get() != null) {
            work.run();
            return;
        }
        HeldWakeups held = new HeldWakeups();
        HELD.set(held);
        try {
            work.run();
        } finally {
            HELD.remove();
            held.release();
        }
    }

    private static final class HeldWakeups {
        private DeliveryLane[] lanes = new DeliveryLane[4];
        private int count;

        void add(DeliveryLane lane) {
            for (int i = 0; i < count; i++) {
                if (lanes[i] == lane) {
                    return;
                }
            }
            if (count == lanes.length) {
                lanes = Arrays.copyOf(lanes, count * 2);
            }
            lanes[count++] = lane;
        }

        void release() {
            for (int i = 0; i < count; i++) {
                lanes[i].schedule();
            }
        }
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this);
            } catch (RejectedExecutionException shuttingDown) {
                discardQueued();
            }
        }
    }

    @Override
    public void run() {
        int handled = 0;
        try {
            Delivery delivery;
            for (int taken = 0; taken < BATCH_LIMIT && (delivery = queue.poll()) != null; taken++) {
                queued.decrementAndGet();
                try {
                    switch (delivery) {
                        case Delivery.ToShard(EncodedFrame frame, Shard shard, long seq, long ignored) ->
                                writeShard(frame, shard, seq);
                        case Delivery.ToUnion(EncodedFrame frame, Shard[] shards, Outbox except, long ignored) ->
                                writeUnion(frame, shards, except);
                        case Delivery.ToOne(EncodedFrame frame, Outbox outbox) -> {
                            writeUncounted(outbox, frame);
                            continue;
                        }
                    }
                    if (timed) {
                        batchAccepted[handled] = delivery.acceptedNanos();
                    }
                    handled++;
                } finally {
                    delivery.frame().release();
                }
            }
            flushDirty();
            report(handled);
        } finally {
            scheduled.set(false);
            if (!queue.isEmpty()) {
                schedule();
            }
        }
    }

    private void writeShard(EncodedFrame frame, Shard shard, long seq) {
        Slot[] slots = shard.slots;
        if (seq <= 0) {
            for (int i = 0, n = shard.count; i < n; i++) {
                write(slots[i].outbox, frame);
            }
            return;
        }
        for (int i = 0, n = shard.count; i < n; i++) {
            Slot slot = slots[i];
            // A member that joined after this message, or got it from a replay, must not get it (again).
            if (seq > slot.deliveredSeq) {
                slot.deliveredSeq = seq;
                write(slot.outbox, frame);
            }
        }
    }

    private void writeUnion(EncodedFrame frame, Shard[] shards, Outbox except) {
        long current = ++stamp;
        // The excluded outbox is compared by identity, never stamped: it may belong to another lane, whose thread
        // owns its lastStamp and numbers its stamps on its own.
        for (Shard shard : shards) {
            Slot[] slots = shard.slots;
            for (int i = 0, n = shard.count; i < n; i++) {
                Outbox outbox = slots[i].outbox;
                if (outbox != except && outbox.lastStamp != current) {
                    outbox.lastStamp = current;
                    write(outbox, frame);
                }
            }
        }
    }

    private void write(Outbox outbox, EncodedFrame frame) {
        if (writeUncounted(outbox, frame)) {
            // Counted here, once per batch to the observer, so the fan-out pays no shared counter per recipient.
            writes++;
        }
    }

    /** Writes and marks the connection for the flush, without counting a fan-out delivery; false if the write threw. */
    private boolean writeUncounted(Outbox outbox, EncodedFrame frame) {
        try {
            outbox.connection.write(frame);
        } catch (RuntimeException e) {
            // One broken connection must not cost the rest of the audience its message.
            LOG.log(System.Logger.Level.WARNING, "write to " + outbox.connection.remoteAddress() + " failed", e);
            return false;
        }
        writtenBytes += frame.length();
        if (!outbox.flushPending) {
            outbox.flushPending = true;
            if (dirtyCount == dirty.length) {
                dirty = Arrays.copyOf(dirty, dirtyCount * 2);
            }
            dirty[dirtyCount++] = outbox;
        }
        return true;
    }

    private void flushDirty() {
        for (int i = 0; i < dirtyCount; i++) {
            Outbox outbox = dirty[i];
            dirty[i] = null;
            outbox.flushPending = false;
            try {
                outbox.connection.flush();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "flush to " + outbox.connection.remoteAddress() + " failed", e);
            }
        }
        dirtyCount = 0;
        if (dirty.length > 1024) {
            dirty = new Outbox[16];
        }
    }

    private void report(int handled) {
        if (handled == 0 && writtenBytes == 0) {
            return;
        }
        int written = writes;
        long bytes = writtenBytes;
        writes = 0;
        writtenBytes = 0;
        try {
            observer.flushed(written, bytes, timed ? nanoClock.getAsLong() : 0L, batchAccepted, handled);
        } catch (RuntimeException e) {
            // Metrics must never cost a message: the batch is already written and flushed.
            LOG.log(System.Logger.Level.WARNING, "delivery observer failed", e);
        }
    }

    private void discardQueued() {
        scheduled.set(false);
        Delivery delivery;
        while ((delivery = queue.poll()) != null) {
            queued.decrementAndGet();
            delivery.frame().release();
        }
    }
}
