package dev.relay.server.analytics;

import dev.relay.core.Hub;
import dev.relay.core.HubQueries;
import dev.relay.core.analytics.AnalyticsBatch;
import dev.relay.core.analytics.AnalyticsRecorder;
import dev.relay.core.analytics.AnalyticsReport;
import dev.relay.core.analytics.AnalyticsStore;
import dev.relay.core.cluster.PresenceStore;
import dev.relay.core.event.EventListener;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.room.RoomInfo;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.config.AnalyticsConfig;
import dev.relay.server.http.AnalyticsReports;
import dev.relay.server.persistence.Persistence;
import dev.relay.server.websocket.ControlMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Analytics in a running server. Create it before the hub (the hub reports to {@link #observer()} and the event
 * stream to {@link #listeners()}), {@link #bind} it to the hub once built, {@link #start()} it with the transport and
 * {@link #close()} it before the store. One thread of its own ({@code relay-analytics}) samples the hub every second,
 * writes the rollups to the store every {@code analytics_flush_interval} (every second while someone watches live),
 * applies retention hourly and sends the live feed; reports for REST run on a small bounded executor. None of it runs
 * on an event loop.
 */
public final class Analytics implements AnalyticsReports, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Analytics.class);
    /** Reports waiting for a reader thread; more are refused (503), never queued unboundedly. */
    private static final int READ_QUEUE = 16;
    private static final int READ_THREADS = 2;
    /** How long closing waits for the recorder's queue to empty before the last write. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    /** What a store without a database keeps, in memory or in the cluster's Redis: the last day. */
    public static final Duration UNPERSISTED_KEEP = Duration.ofDays(1);

    private final AnalyticsConfig config;
    private final Clock clock;
    private final AnalyticsRecorder recorder;
    /** Replaced at most once, before {@link #bind}, by the cluster's shared store (see {@link #shareThrough}). */
    private volatile AnalyticsStore store;
    private final boolean storeShared;
    private final ScheduledExecutorService ticker;
    private final ThreadPoolExecutor reads;
    private volatile Bound bound;
    private long lastFlushMillis;
    private long lastRetentionMillis;

    /** What exists once the hub does. */
    private record Bound(HubQueries queries, AnalyticsFeed feed, AnalyticsReport report, JsonCodec codec,
                         IntSupplier queued) {
    }

    private Analytics(AnalyticsConfig config, AnalyticsStore store, boolean storeShared, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.store = store;
        this.storeShared = storeShared;
        this.recorder = new AnalyticsRecorder(clock, config.maxKeysPerMinute(), config.maxUsersPerDay());
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "relay-analytics");
            thread.setDaemon(true);
            return thread;
        });
        this.reads = new ThreadPoolExecutor(READ_THREADS, READ_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(READ_QUEUE), runnable -> {
                    Thread thread = new Thread(runnable, "relay-analytics-read");
                    thread.setDaemon(true);
                    return thread;
                });
        reads.allowCoreThreadTimeOut(true);
    }

    /**
     * Analytics over the persistence's store (its database, or memory keeping the last day until
     * {@link #shareThrough} gives a cluster's).
     */
    public static Analytics create(AnalyticsConfig config, Persistence persistence, Clock clock) {
        return new Analytics(config, persistence.analyticsStore(UNPERSISTED_KEEP), persistence.sharesAnalytics(),
                clock);
    }

    /**
     * Before {@link #bind}: without a database the rollups go to the store the cluster's nodes share (their Redis)
     * instead of this node's memory, so every node answers with the cluster's figures. A database, shared already,
     * stays where they go.
     *
     * @param clusterStore the cluster's store for {@link #UNPERSISTED_KEEP}, made only when needed
     */
    public void shareThrough(Function<Duration, Optional<AnalyticsStore>> clusterStore) {
        if (bound != null) {
            throw new IllegalStateException("choose the store before binding");
        }
        if (!storeShared) {
            clusterStore.apply(UNPERSISTED_KEEP).ifPresent(shared -> {
                store = shared;
                LOG.info("event=analytics_store store={}", shared.getClass().getSimpleName());
            });
        }
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** The event listeners analytics adds to the stream: the recorder, or none when switched off. */
    public List<EventListener> listeners() {
        return enabled() ? List.of(recorder) : List.of();
    }

    /** What the hub should also report to: the recorder's counters, or nothing when switched off. */
    public HubObserver observer() {
        return enabled() ? recorder : HubObserver.NONE;
    }

    /**
     * Binds to the built hub.
     *
     * @param queued events waiting in the recorder's queue (closing waits for them)
     */
    public void bind(Hub hub, JsonCodec codec, IntSupplier queued) {
        HubQueries queries = hub.queries();
        IntSupplier onlineNow = () -> queries.clusterCounts().map(PresenceStore.ClusterCounts::onlineUsers)
                .orElseGet(queries::onlineUsers);
        this.bound = new Bound(queries, new AnalyticsFeed(hub, enabled()), new AnalyticsReport(store, clock,
                onlineNow), codec, queued);
    }

    /** The live subscription, for the transport. */
    public ControlMessages feed() {
        return bound.feed();
    }

    /** Starts the ticker; nothing is counted into the store before. */
    public void start() {
        if (enabled()) {
            lastFlushMillis = clock.millis();
            lastRetentionMillis = clock.millis();
            ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Runs a report on the readers; refused with {@code feature_disabled} when switched off and with
     * {@code temporarily_unavailable} when too many are waiting.
     */
    @Override
    public <T> CompletableFuture<T> report(Function<AnalyticsReport, T> report) {
        if (!enabled()) {
            return CompletableFuture.failedFuture(new ProtocolException(ErrorCode.FEATURE_DISABLED,
                    "analytics are switched off (analytics_enabled)"));
        }
        AnalyticsReport reports = bound.report();
        Supplier<T> read = () -> report.apply(reports);
        try {
            return CompletableFuture.supplyAsync(read, reads);
        } catch (RejectedExecutionException full) {
            return CompletableFuture.failedFuture(new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "too many analytics requests at once; retry shortly"));
        }
    }

    private void tick() {
        Bound b = bound;
        try {
            sample(b.queries());
            long now = clock.millis();
            boolean live = b.feed().hasSubscribers();
            if (live || now - lastFlushMillis >= config.flushInterval().toMillis()) {
                flush();
                lastFlushMillis = now;
            }
            if (now - lastRetentionMillis >= Duration.ofHours(1).toMillis()) {
                lastRetentionMillis = now;
                long minute = Math.floorDiv(now, 60_000) - (long) config.retentionDays() * 24 * 60;
                long deleted = store.deleteBefore(minute, Math.floorDiv(minute, 24 * 60));
                LOG.debug("event=analytics_retention deleted={}", deleted);
            }
            if (live) {
                b.feed().send(b.report().lastMinute(), b.codec(), clock);
            }
        } catch (RuntimeException e) {
            // Logged and tried again next second: a store that is down must not stop the schedule.
            LOG.warn("event=analytics_tick_failed cause=\"{}\"", e.toString());
        }
    }

    /** The hub's numbers now, as this minute's peaks: cluster-wide users and connections where known. */
    private void sample(HubQueries queries) {
        int online = queries.clusterCounts().map(PresenceStore.ClusterCounts::onlineUsers)
                .orElseGet(queries::onlineUsers);
        int connections = queries.clusterCounts().map(PresenceStore.ClusterCounts::connections)
                .orElseGet(queries::connections);
        Map<String, Integer> members = new HashMap<>();
        for (RoomInfo room : queries.roomInfos()) {
            members.put(room.id(), room.userCount());
        }
        recorder.sample(online, connections, members);
    }

    private void flush() {
        AnalyticsBatch batch = recorder.drain();
        try {
            store.write(batch);
        } catch (RuntimeException e) {
            recorder.unwritten(batch); // written with the values of then on the next flush
            throw e;
        }
    }

    /** Stops the ticker and writes what was counted; call after the transport stopped, before the store closes. */
    @Override
    public void close() {
        ticker.shutdownNow();
        reads.shutdown();
        Bound b = bound;
        if (!enabled() || b == null) {
            return;
        }
        try {
            ticker.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
            while (b.queued().getAsInt() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // shutdown only: the last disconnects' events reach the recorder
            }
            flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("event=analytics_last_write_failed cause=\"{}\"", e.toString());
        }
    }
}
