package dev.relay.engine.redis;

import io.netty.util.concurrent.FastThreadLocalThread;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One thread that decodes and hands over what the pub/sub connection receives, so Lettuce's event loop only reads
 * (a room message's delivery to this node's members is the costly part). One thread keeps a channel's order. Its
 * queue is bounded: past it a payload is dropped and counted; a dropped room payload is a gap the hub fills from the
 * stream at the room's next message, a dropped private message or broadcast is lost, like one past a full lane.
 *
 * <p>Payloads that are already waiting when the thread takes one are handed over in the same {@code together} run
 * (up to {@link #RUN_LIMIT}), so the hub can let the event loops take them in one go rather than start writing the
 * first while the rest are handed over. Nothing waits for a payload that has not arrived.
 */
final class InboundWorker {
    private static final Logger LOG = LoggerFactory.getLogger(InboundWorker.class);
    /** Pub/sub payloads waiting at most; each is one batch of a room, or one private message or broadcast. */
    static final int CAPACITY = 10_000;
    /** Payloads handed over in one {@code together} run at most, so the first of them is never held for long. */
    static final int RUN_LIMIT = 64;

    private final BlockingQueue<Runnable> waiting = new ArrayBlockingQueue<>(CAPACITY);
    private final Consumer<Runnable> together;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    /** @param together runs a run of handovers ({@code Broker.Inbound::together}) */
    InboundWorker(String name, Consumer<Runnable> together) {
        this.together = together;
        // Netty's thread type gets a pooled-buffer cache of its own: the frame made here for every room message
        // received comes from it, not from the arenas shared with every other thread (and their locks).
        thread = new FastThreadLocalThread(this::work, name);
        thread.setDaemon(true);
        thread.start();
    }

    void execute(String channel, Runnable task) {
        if (closed) {
            return;
        }
        if (!waiting.offer(task) && dropped.getAndIncrement() % 1_000 == 0) {
            LOG.warn("dropped a message on {}: {} received messages are waiting to be handed over ({} dropped"
                    + " so far)", channel, CAPACITY, dropped.get());
        }
    }

    private void work() {
        while (!closed) {
            Runnable first;
            try {
                first = waiting.take();
            } catch (InterruptedException closing) {
                return;
            }
            together.accept(() -> runWaiting(first));
        }
    }

    private void runWaiting(Runnable first) {
        Runnable next = first;
        int ran = 0;
        do {
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.warn("handing over a received message failed", e);
            }
        } while (++ran < RUN_LIMIT && !closed && (next = waiting.poll()) != null);
    }

    long dropped() {
        return dropped.get();
    }

    void close() {
        closed = true;
        thread.interrupt();
    }
}
