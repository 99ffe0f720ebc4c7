package dev.relay.server.persistence;

import dev.relay.core.Hub;
import dev.relay.core.analytics.AnalyticsStore;
import dev.relay.core.analytics.MemoryAnalyticsStore;
import dev.relay.core.history.HistoryStore;
import dev.relay.core.history.MemoryHistoryStore;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.store.MemoryMessageStore;
import dev.relay.core.store.MemoryOfflineMessages;
import dev.relay.core.store.MessageStore;
import dev.relay.core.store.RoomRecord;
import dev.relay.core.store.StoredHistory;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.PersistenceConfig;
import dev.relay.server.config.RelayConfig;
import dev.relay.store.jdbc.JdbcMessageStore;
import dev.relay.store.jdbc.JdbcStoreSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The message store of one server and what runs around it. Without {@code enable_message_persistence} everything
 * stays in memory (room pages from the resume history, conversations and offline messages within
 * {@code history_size} / {@code history_ttl} / {@code offline_max_messages}); with it, the JDBC store, with the
 * resume history warmed from it so streams continue across a restart.
 */
public final class Persistence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Persistence.class);
    /** Blocking reads (history pages, search) waiting for a thread; more are refused, never queued unboundedly. */
    private static final int READ_QUEUE = 64;
    private static final int READ_THREADS = 4;
    private static final int RETENTION_BATCH = 1000;
    static final String STORE_UNAVAILABLE = "message_store_unavailable";

    private final MessageStore store;
    private final JdbcMessageStore jdbc;
    private final HistoryStore history;
    /** The history warmed from the database; null without persistence. */
    private final StoredHistory stored;
    private final ThreadPoolExecutor reads;
    private final ScheduledExecutorService retention;
    private final int retentionDays;
    private final Clock clock;

    private Persistence(MessageStore store, JdbcMessageStore jdbc, HistoryStore history, StoredHistory stored,
                        int retentionDays, Clock clock) {
        this.store = store;
        this.jdbc = jdbc;
        this.history = history;
        this.stored = stored;
        this.retentionDays = retentionDays;
        this.clock = clock;
        AtomicInteger threads = new AtomicInteger();
        this.reads = new ThreadPoolExecutor(READ_THREADS, READ_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(READ_QUEUE), runnable -> {
                    Thread thread = new Thread(runnable, "relay-store-read-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        reads.allowCoreThreadTimeOut(true);
        this.retention = jdbc == null ? null : Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "relay-store-retention");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Opens the configured store; blocking (a database is connected and migrated). */
    public static Persistence open(RelayConfig config, Clock clock) {
        PersistenceConfig p = config.messages().persistence();
        int historySize = config.delivery().historySize();
        Duration historyTtl = config.delivery().historyTtl();
        MemoryHistoryStore cache = new MemoryHistoryStore(historySize, historyTtl, clock);
        if (!config.messages().enableMessagePersistence()) {
            // Private messages in memory, held for offline users or kept for conversation pages, are bounded in
            // total (each by the same offline_max_total_* values), so made-up recipients cannot grow the heap.
            MemoryMessageStore memory = new MemoryMessageStore(cache,
                    new MemoryOfflineMessages(p.offlineMaxMessages(), p.offlineMaxTotalMessages(),
                            p.offlineMaxTotalBytes(), p.offlineTtl(historyTtl), clock), historySize,
                    p.offlineMaxTotalMessages(), p.offlineMaxTotalBytes(), historyTtl, clock);
            return new Persistence(memory, null, cache, null, 0, clock);
        }
        String url = p.databaseUrl().orElseGet(() -> sqliteUnder(config.server().dataDir()));
        JdbcMessageStore jdbc;
        try {
            jdbc = JdbcMessageStore.open(new JdbcStoreSettings(url, null, p.queueSize(), p.batchSize(),
                    p.batchDelay(), p.offlineMaxMessages(), p.ackAfterPersist()), clock);
        } catch (RuntimeException e) {
            throw new ConfigException("websocket.database_url: cannot open the message store (" + rootMessage(e)
                    + ")");
        }
        StoredHistory warmed = StoredHistory.warmed(cache, jdbc, historySize);
        LOG.info("event=message_store_opened dialect={} ack_after_persist={} queue={} batch={}",
                url.startsWith("jdbc:sqlite:") ? "sqlite" : "postgresql", p.ackAfterPersist(), p.queueSize(),
                p.batchSize());
        Persistence persistence = new Persistence(jdbc, jdbc, warmed, warmed, config.messages().messageRetentionDays(),
                clock);
        persistence.scheduleRetention();
        return persistence;
    }

    private static String sqliteUnder(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new ConfigException("websocket.data_dir = " + dataDir + ": cannot create the directory ("
                    + e.getMessage() + ")");
        }
        return "jdbc:sqlite:" + dataDir.resolve("relay.db").toAbsolutePath();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** The resume history to build the hub with. */
    public HistoryStore history() {
        return history;
    }

    public MessageStore store() {
        return store;
    }

    /**
     * Deletes the stored streams of rooms that no longer exist: neither created at startup (default, restored or
     * cluster rooms, per {@code exists}) nor kept as a room to restore. These are rooms closed before closing deleted
     * their messages, or default rooms taken out of {@code default_rooms}; left alone, a room created later under the
     * same id would continue their stream and show their messages. Each start deletes a room's latest stream, so
     * older streams of the same id go over the following starts. Call once the hub has all its rooms, before clients
     * connect; the deleting runs on the store's writer.
     */
    public void forgetRoomsGone(Predicate<String> exists) {
        if (stored == null) {
            return;
        }
        Set<String> kept = store.rooms().stream().map(RoomRecord::id).collect(Collectors.toSet());
        stored.lastRun().forEach((roomId, position) -> {
            if (!exists.test(roomId) && !kept.contains(roomId)) {
                LOG.info("event=closed_room_messages_deleting room_id={} epoch={}", roomId, position.epoch());
                stored.forget(roomId);
                store.roomClosed(roomId, position.epoch());
            }
        });
    }

    /**
     * Builds the hub with the store: accepted and offline messages go to it, and the rooms it kept from an earlier
     * run are created again.
     */
    public void install(Hub.Builder hub) {
        hub.messageStore(store).keptRooms(store.rooms());
    }

    /**
     * Where analytics rollups are kept: the message store's database with persistence (every node sharing it reads
     * the cluster's figures), else memory holding the last {@code memoryKeep}.
     */
    public AnalyticsStore analyticsStore(Duration memoryKeep) {
        return jdbc != null ? jdbc.analytics() : new MemoryAnalyticsStore(clock, memoryKeep);
    }

    /** Whether {@link #analyticsStore} is the database, which every node sharing it reads. */
    public boolean sharesAnalytics() {
        return jdbc != null;
    }

    /** For readiness: why the store is not usable (the database does not take writes), or empty when it is. */
    public Optional<String> problem() {
        return jdbc == null || jdbc.healthy() ? Optional.empty() : Optional.of(STORE_UNAVAILABLE);
    }

    /** Runs a blocking read on the store's bounded executor; refused with temporarily_unavailable when it is full. */
    public <T> CompletableFuture<T> read(Supplier<T> read) {
        try {
            return CompletableFuture.supplyAsync(read, reads);
        } catch (RejectedExecutionException full) {
            return CompletableFuture.failedFuture(new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "too many history and search requests at once; retry shortly"));
        }
    }

    private void scheduleRetention() {
        // Daily; the first run a minute after startup, so a server down for a while catches up soon.
        retention.scheduleAtFixedRate(this::applyRetention, 60, Duration.ofDays(1).toSeconds(), TimeUnit.SECONDS);
    }

    /** Deletes messages past message_retention_days in batches; returns how many went. */
    long applyRetention() {
        Instant cutoff = clock.instant().minus(Duration.ofDays(retentionDays));
        long deleted = 0;
        try {
            int batch;
            do {
                batch = store.deleteOlderThan(cutoff, RETENTION_BATCH);
                deleted += batch;
            } while (batch == RETENTION_BATCH && !Thread.currentThread().isInterrupted());
            LOG.info("event=message_retention deleted={} cutoff={}", deleted, cutoff);
        } catch (RuntimeException e) {
            LOG.error("event=message_retention_failed deleted={}", deleted, e);
        }
        return deleted;
    }

    /** Stops the jobs and flushes the store's queue. Call after the transport has stopped. */
    @Override
    public void close() {
        if (retention != null) {
            retention.shutdownNow();
        }
        reads.shutdown();
        store.close();
    }
}
