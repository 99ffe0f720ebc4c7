package dev.relay.server.webhook;

import dev.relay.core.event.EventListener;
import dev.relay.core.event.RelayEvent;
import dev.relay.server.config.WebhookConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One webhook. {@link #onEvent} (on the event stream's thread for this listener) filters and offers to a bounded
 * queue; a virtual thread of its own takes the first event, waits {@code batch_delay} for more, and POSTs them as one
 * delivery; a failed try is retried from the shared scheduler after 1, 4, 16... times {@code retry_delay} (±20 %
 * jitter, so webhooks that failed together do not retry together) until {@code max_attempts}. A slow or dead
 * endpoint holds up only its own webhook. Every delivery is kept in the spool from before its first try until it is
 * delivered or given up.
 */
final class WebhookDispatcher implements EventListener {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    /** Most events in one delivery; a backlog after an outage leaves in batches this size. */
    static final int MAX_BATCH = 1_000;
    /**
     * Most deliveries of one webhook waiting for a retry; past it a failed try is given up at once (counted as
     * {@code dropped} and logged), so a dead endpoint holds at most this many bodies in memory, not one per batch.
     */
    static final int MAX_RETRYING = 1_000;
    private static final int RETRY_FACTOR = 4;

    private final String name;
    private final String label;
    private final WebhookConfig hook;
    private final Set<String> events;
    private final RoomGlobs rooms;
    private final WebhookBodies bodies;
    private final WebhookSender sender;
    private final Spool spool;
    private final ScheduledExecutorService retries;
    private final Clock clock;
    private final BlockingQueue<Map<String, Object>> queue;
    private final AtomicInteger retrying = new AtomicInteger();
    private final int maxRetrying;
    private final WebhookMetrics metrics;
    private final Thread batcher;
    private volatile boolean closed;

    WebhookDispatcher(String name, String label, WebhookConfig hook, WebhookBodies bodies, WebhookSender sender,
                      Spool spool, ScheduledExecutorService retries, Clock clock,
                      io.micrometer.core.instrument.MeterRegistry registry) {
        this(name, label, hook, bodies, sender, spool, retries, clock, registry, MAX_RETRYING);
    }

    /** With another bound than {@link #MAX_RETRYING}, so a test can reach it with a handful of deliveries. */
    WebhookDispatcher(String name, String label, WebhookConfig hook, WebhookBodies bodies, WebhookSender sender,
                      Spool spool, ScheduledExecutorService retries, Clock clock,
                      io.micrometer.core.instrument.MeterRegistry registry, int maxRetrying) {
        this.maxRetrying = maxRetrying;
        this.name = name;
        this.label = label;
        this.hook = hook;
        this.events = Set.copyOf(hook.events());
        this.rooms = new RoomGlobs(hook.rooms());
        this.bodies = bodies;
        this.sender = sender;
        this.spool = spool;
        this.retries = retries;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(hook.queueSize());
        this.metrics = new WebhookMetrics(registry, label, queue::size);
        this.batcher = Thread.ofVirtual().name("relay-" + name).unstarted(this::batchLoop);
    }

    /** Sends again what a previous run left in the spool, then starts batching. */
    void start() {
        List<Delivery> left = spool.pending();
        if (!left.isEmpty()) {
            LOG.info("event=webhook_recovered webhook={} deliveries={}", label, left.size());
        }
        for (Delivery delivery : left) {
            retrying.incrementAndGet();
            Thread.ofVirtual().name("relay-" + name + "-recovered").start(() -> {
                retrying.decrementAndGet();
                attempt(delivery);
            });
        }
        batcher.start();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void onEvent(RelayEvent event) {
        if (!events.isEmpty() && !events.contains(event.name())) {
            return;
        }
        Map<String, Object> fields = event.fields();
        if (!rooms.allows(fields.get("room_id"))) {
            return;
        }
        if (!queue.offer(fields)) {
            metrics.eventsDropped.increment();
            // One line per thousand, not per event: a dead endpoint under load must not flood the log as well.
            if ((long) metrics.eventsDropped.count() % 1000 == 1) {
                LOG.warn("event=webhook_event_dropped webhook={} reason=queue_full queue_size={} dropped_total={}",
                        label, hook.queueSize(), (long) metrics.eventsDropped.count());
            }
        }
    }

    private void batchLoop() {
        try {
            while (!closed) {
                List<Map<String, Object>> batch = new ArrayList<>();
                batch.add(queue.take());
                long deadline = System.nanoTime() + hook.batchDelay().toNanos();
                while (batch.size() < MAX_BATCH) {
                    long left = deadline - System.nanoTime();
                    Map<String, Object> next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                Delivery delivery = delivery(batch);
                spool.keep(delivery);
                attempt(delivery);
            }
        } catch (InterruptedException stopping) {
            // close() interrupts; what is still queued is handled there.
        }
    }

    private Delivery delivery(List<Map<String, Object>> batch) {
        String id = UUID.randomUUID().toString();
        return new Delivery(id, bodies.body(id, clock.millis(), batch), 0);
    }

    private void attempt(Delivery delivery) {
        WebhookSender.Attempt outcome = sender.post(hook, delivery.id(), delivery.body());
        Delivery tried = delivery.tried();
        if (outcome.delivered()) {
            metrics.delivered.increment();
            spool.forget(delivery.id());
            return;
        }
        if (closed) {
            spool.keep(tried); // sent again after the restart, if there is a spool
            return;
        }
        if (tried.attempts() >= hook.maxAttempts()) {
            metrics.failed.increment();
            spool.forget(delivery.id());
            LOG.error("event=webhook_failed webhook={} delivery={} attempts={} cause=\"{}\"", label, delivery.id(),
                    tried.attempts(), outcome.describe());
            return;
        }
        if (retrying.incrementAndGet() > maxRetrying) {
            retrying.decrementAndGet();
            metrics.dropped.increment();
            spool.forget(delivery.id());
            LOG.error("event=webhook_dropped webhook={} delivery={} reason=too_many_retrying limit={} cause=\"{}\"",
                    label, delivery.id(), maxRetrying, outcome.describe());
            return;
        }
        metrics.retried.increment();
        spool.keep(tried);
        long delay = retryDelayMillis(tried.attempts());
        LOG.warn("event=webhook_retry webhook={} delivery={} attempt={} retry_in_ms={} cause=\"{}\"", label,
                delivery.id(), tried.attempts(), delay, outcome.describe());
        try {
            // The scheduler only starts the try: the POST blocks a virtual thread, never the scheduler's.
            retries.schedule(() -> Thread.ofVirtual().name("relay-" + name + "-retry").start(() -> {
                retrying.decrementAndGet();
                attempt(tried);
            }), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            retrying.decrementAndGet(); // kept in the spool, if any, for the next start
        }
    }

    /** {@code retry_delay} times 4 to the power of the tries so far minus one, ±20 %. */
    long retryDelayMillis(int attempts) {
        double base = hook.retryDelay().toMillis() * Math.pow(RETRY_FACTOR, attempts - 1);
        return Math.max(1, Math.round(base * ThreadLocalRandom.current().nextDouble(0.8, 1.2)));
    }

    /**
     * Stops sending: the batcher is interrupted (a POST in flight ends as "interrupted" and stays in the spool), and
     * events still queued become one more spooled delivery, sent after the restart; without a spool they are lost,
     * and logged.
     */
    void close() {
        closed = true;
        batcher.interrupt();
        try {
            batcher.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Map<String, Object>> left = new ArrayList<>();
        queue.drainTo(left);
        if (!left.isEmpty()) {
            if (spool == Spool.NONE) {
                metrics.dropped.increment();
                LOG.warn("event=webhook_events_lost webhook={} events={} reason=\"stopped without persistence\"",
                        label, left.size());
            } else {
                spool.keep(delivery(left));
            }
        }
        spool.close();
    }
}
