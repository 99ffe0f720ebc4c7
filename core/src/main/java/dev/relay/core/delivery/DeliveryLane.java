package dev.relay.core.delivery;

import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The write side of one executor (event loop). Publishers on any thread queue deliveries; one task at a time drains
 * them on the executor, writes each frame to its recipients without flushing, then flushes every touched connection
 * once. Under load many messages share one task and one flush per connection; when idle a message costs one task.
 */
public final class DeliveryLane implements Runnable {
    /** Deliveries handled per task before yielding the executor back to I/O. */
    private static final int BATCH_LIMIT = 256;
    private static final System.Logger LOG = System.getLogger(DeliveryLane.class.getName());

    private final Executor executor;
    private final int queueLimit;
    private final Queue<Delivery> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    // Touched only on the executor.
    private Outbox[] dirty = new Outbox[16];
    private int dirtyCount;
    private long stamp;

    /**
     * @param queueLimit deliveries that may wait on this lane before publishers are refused; bounds the memory a
     *                   saturated event loop can accumulate
     */
    public DeliveryLane(Executor executor, int queueLimit) {
        if (queueLimit < 1) {
            throw new IllegalArgumentException("queueLimit must be positive");
        }
        this.executor = executor;
        this.queueLimit = queueLimit;
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

    boolean hasRoom() {
        return queued.get() < queueLimit;
    }

    void submit(Delivery delivery) {
        delivery.frame().retain();
        queued.incrementAndGet();
        queue.offer(delivery);
        schedule();
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
        try {
            Delivery delivery;
            for (int handled = 0; handled < BATCH_LIMIT && (delivery = queue.poll()) != null; handled++) {
                queued.decrementAndGet();
                try {
                    switch (delivery) {
                        case Delivery.ToShard(EncodedFrame frame, Shard shard, long seq) -> writeShard(frame, shard, seq);
                        case Delivery.ToUnion(EncodedFrame frame, Shard[] shards, Outbox except) ->
                                writeUnion(frame, shards, except);
                    }
                } finally {
                    delivery.frame().release();
                }
            }
            flushDirty();
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
        try {
            outbox.connection.write(frame);
        } catch (RuntimeException e) {
            // One broken connection must not cost the rest of the audience its message.
            LOG.log(System.Logger.Level.WARNING, "write to " + outbox.connection.remoteAddress() + " failed", e);
            return;
        }
        if (!outbox.flushPending) {
            outbox.flushPending = true;
            if (dirtyCount == dirty.length) {
                dirty = Arrays.copyOf(dirty, dirtyCount * 2);
            }
            dirty[dirtyCount++] = outbox;
        }
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

    private void discardQueued() {
        scheduled.set(false);
        Delivery delivery;
        while ((delivery = queue.poll()) != null) {
            queued.decrementAndGet();
            delivery.frame().release();
        }
    }
}
