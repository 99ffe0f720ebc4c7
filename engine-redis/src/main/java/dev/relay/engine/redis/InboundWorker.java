package dev.relay.engine.redis;

import io.netty.util.concurrent.FastThreadLocalThread;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread that decodes and hands over what the pub/sub connection receives, so Lettuce's event loop only reads
 * (a room message's delivery to this node's members is the costly part). One thread keeps a channel's order. Its
 * queue is bounded: past it a payload is dropped and counted; a dropped room payload is a gap the hub fills from the
 * stream at the room's next message, a dropped private message or broadcast is lost, like one past a full lane.
 */
final class InboundWorker {
    private static final Logger LOG = LoggerFactory.getLogger(InboundWorker.class);
    /** Pub/sub payloads waiting at most; each is one batch of a room, or one private message or broadcast. */
    static final int CAPACITY = 10_000;

    private final ThreadPoolExecutor thread;
    private final AtomicLong dropped = new AtomicLong();

    InboundWorker(String name) {
        thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(CAPACITY), task -> {
            // Netty's thread type gets a pooled-buffer cache of its own: the frame made here for every room message
            // received comes from it, not from the arenas shared with every other thread (and their locks).
            Thread t = new FastThreadLocalThread(task, name);
            t.setDaemon(true);
            return t;
        });
    }

    void execute(String channel, Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException full) {
            if (thread.isShutdown()) {
                return;
            }
            if (dropped.getAndIncrement() % 1_000 == 0) {
                LOG.warn("dropped a message on {}: {} received messages are waiting to be handed over ({} dropped"
                        + " so far)", channel, CAPACITY, dropped.get());
            }
        }
    }

    long dropped() {
        return dropped.get();
    }

    void close() {
        thread.shutdownNow();
    }
}
