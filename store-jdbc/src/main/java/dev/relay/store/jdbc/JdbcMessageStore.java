package dev.relay.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relay.core.analytics.AnalyticsStore;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.store.Highlights;
import dev.relay.core.store.MessageStore;
import dev.relay.core.store.OfflineDelivery;
import dev.relay.core.store.RoomRecord;
import dev.relay.core.store.SearchHit;
import dev.relay.core.store.SearchQuery;
import dev.relay.core.store.StoreUnavailableException;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The {@link MessageStore} on SQLite or PostgreSQL. Writes go through one queue to one writer thread, which inserts
 * them in batches (up to {@code batch_size}, waiting at most {@code batch_delay} for a batch to fill) in one
 * transaction each; if the database fails it retries the same batch with backoff, never dropping an accepted message,
 * and reports itself unhealthy meanwhile. The queue's bound is enforced by {@link #checkCapacity()} before a message
 * is accepted (so it may exceed it by the few messages checked at the same moment on other event loops). Reads run
 * on the caller's thread with a pooled connection, and are meant for threads that may block.
 */
public final class JdbcMessageStore implements MessageStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcMessageStore.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);
    /** Messages of a closed room deleted per transaction, so no table is locked for long. */
    static final int CLOSE_BATCH = 1000;
    private static final int CLOSED_STREAMS_KEPT = 1024;
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String COLUMNS =
            "m.id, m.type, m.room_id, m.sender, m.recipient, m.content, m.data, m.created_at, m.seq, m.epoch";

    private final Dialect dialect;
    private final HikariDataSource pool;
    private final JdbcStoreSettings settings;
    private final Clock clock;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    /** Messages queued and not yet committed; what the capacity bound counts. */
    private final AtomicInteger queuedMessages = new AtomicInteger();
    /** Users with held messages, so a connect of anyone else costs no query. */
    private final Set<String> usersWithHeld = ConcurrentHashMap.newKeySet();
    private final AtomicLong committed = new AtomicLong();
    /**
     * The streams of rooms closed in this run (room id and epoch), newest last: a message of one of them that
     * reaches the writer after the close (accepted in the instant the room closed) is dropped, not written into a
     * room that no longer exists. Bounded: only the last closes can still have messages in flight.
     */
    private final Set<String> closedStreams = Collections.synchronizedSet(new LinkedHashSet<>());
    private final Thread writer;
    private volatile boolean healthy = true;
    private volatile boolean closing;

    private sealed interface Op permits Save, Release, RoomChange, Stop {
    }

    /** A room to keep ({@code room} set) or to forget with its stream {@code closedEpoch} (no {@code room}). */
    private record RoomChange(String roomId, RoomRecord room, String closedEpoch) implements Op {
        boolean closes() {
            return room == null;
        }
    }

    private record Save(ServerMessage message, boolean offline, CompletableFuture<Void> done) implements Op {
    }

    private record Release(String userId, CompletableFuture<OfflineDelivery> done) implements Op {
    }

    private record Stop() implements Op {
    }

    private JdbcMessageStore(Dialect dialect, HikariDataSource pool, JdbcStoreSettings settings, Clock clock) {
        this.dialect = dialect;
        this.pool = pool;
        this.settings = settings;
        this.clock = clock;
        this.writer = Thread.ofPlatform().name("relay-store-writer").daemon(true).unstarted(this::runWriter);
    }

    /** Connects, migrates the schema and starts the writer. Blocking; fails when the database cannot be reached. */
    public static JdbcMessageStore open(JdbcStoreSettings settings, Clock clock) {
        Dialect dialect = Dialect.of(settings.jdbcUrl());
        String schema = settings.schema();
        if (schema != null && !SCHEMA_NAME.matcher(schema).matches()) {
            throw new IllegalArgumentException("invalid schema name: " + schema);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbcUrl());
        config.setPoolName("relay-store");
        config.setConnectionTimeout(2_000);
        config.setInitializationFailTimeout(10_000);
        if (dialect == Dialect.SQLITE) {
            config.setMaximumPoolSize(4);
            // WAL: readers do not block the writer; NORMAL sync survives a killed process (not a power cut).
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "NORMAL");
            config.addDataSourceProperty("busy_timeout", "10000");
        } else {
            config.setMaximumPoolSize(8);
            if (schema != null) {
                config.setConnectionInitSql("SET search_path TO " + schema + ", public");
            }
        }
        HikariDataSource pool = new HikariDataSource(config);
        try {
            if (dialect == Dialect.POSTGRESQL) {
                prepare(pool, schema);
            }
            Flyway.configure().dataSource(pool).locations(dialect.migrations())
                    .schemas(dialect == Dialect.POSTGRESQL && schema != null ? new String[] {schema} : new String[0])
                    .load().migrate();
            JdbcMessageStore store = new JdbcMessageStore(dialect, pool, settings, clock);
            store.loadUsersWithHeld();
            store.writer.start();
            return store;
        } catch (RuntimeException | SQLException e) {
            pool.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot open the store", e);
        }
    }

    /**
     * The analytics rollups in this store's database (its own tables, {@link JdbcAnalyticsStore}), sharing the pool:
     * usable until this store is closed.
     */
    public AnalyticsStore analytics() {
        return new JdbcAnalyticsStore(pool);
    }

    /** pg_trgm lives in public, shared by every schema; two servers creating it at once is not an error. */
    private static void prepare(HikariDataSource pool, String schema) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            try {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public");
            } catch (SQLException raced) {
                LOG.debug("event=store_extension_race", raced);
            }
            if (schema != null) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            }
        }
    }

    private void loadUsersWithHeld() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery(
                     "SELECT DISTINCT user_id FROM offline_messages UNION SELECT user_id FROM offline_drops")) {
            while (rows.next()) {
                usersWithHeld.add(rows.getString(1));
            }
        }
    }

    // ---- the write path (event loops: never blocks) ----

    @Override
    public void checkCapacity() {
        if (closing) {
            throw new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "the server is shutting down; the message was not sent, retry on reconnect");
        }
        if (queuedMessages.get() >= settings.queueCapacity()) {
            throw new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "message storage is behind; the message was not sent, retry later");
        }
    }

    @Override
    public CompletableFuture<Void> accepted(ServerMessage message) {
        if (!MessageType.ROOM_MESSAGE.equals(message.type())
                && !MessageType.PRIVATE_MESSAGE.equals(message.type())) {
            return null;
        }
        return enqueue(message, false);
    }

    @Override
    public boolean enabled() {
        return settings.offlineMax() > 0;
    }

    @Override
    public CompletableFuture<Void> hold(ServerMessage message) {
        usersWithHeld.add(message.to());
        return enqueue(message, true);
    }

    private CompletableFuture<Void> enqueue(ServerMessage message, boolean offline) {
        CompletableFuture<Void> done = settings.ackAfterPersist() ? new CompletableFuture<>() : null;
        queuedMessages.incrementAndGet();
        queue.add(new Save(message, offline, done));
        return done;
    }

    /**
     * Through the writer, like a message, so it is applied after the message it updates was inserted (in the same
     * transaction when they share a batch) and survives the database being away the same way.
     */
    @Override
    public void updated(ServerMessage update) {
        queuedMessages.incrementAndGet();
        queue.add(new Save(update, false, null));
    }

    @Override
    public CompletableFuture<OfflineDelivery> release(String userId) {
        if (!usersWithHeld.remove(userId)) {
            return CompletableFuture.completedFuture(OfflineDelivery.NONE);
        }
        // Through the writer, behind every message queued before it, so none of them is missed.
        CompletableFuture<OfflineDelivery> done = new CompletableFuture<>();
        queue.add(new Release(userId, done));
        return done;
    }

    @Override
    public void roomCreated(RoomRecord room) {
        queue.add(new RoomChange(room.id(), room, null));
    }

    /**
     * Queues the deletion of the room's row and of every message of its stream; the writer does it in batches of
     * {@value #CLOSE_BATCH} rows, each its own short transaction, before anything queued later (the room created again
     * under this id, its first messages). The row goes last, so a close cut short by a crash leaves the room to be
     * restored and closed again rather than half its messages under a room that is gone.
     */
    @Override
    public void roomClosed(String roomId, String epoch) {
        synchronized (closedStreams) {
            closedStreams.add(stream(roomId, epoch));
            if (closedStreams.size() > CLOSED_STREAMS_KEPT) {
                closedStreams.remove(closedStreams.iterator().next());
            }
        }
        queue.add(new RoomChange(roomId, null, epoch));
    }

    private static String stream(String roomId, String epoch) {
        return roomId + "\n" + epoch;
    }

    @Override
    public List<RoomRecord> rooms() {
        List<RoomRecord> rooms = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT id, name, description, allowed FROM rooms ORDER BY created_at, id")) {
            while (rows.next()) {
                String allowed = rows.getString(4);
                rooms.add(new RoomRecord(rows.getString(1), rows.getString(2), rows.getString(3),
                        allowed == null ? null : Set.of(allowed.isEmpty() ? new String[0] : allowed.split("\n"))));
            }
            return rooms;
        } catch (SQLException e) {
            throw new StoreUnavailableException("the message store cannot be read", e);
        }
    }

    // ---- the writer thread ----

    private void runWriter() {
        List<Save> saves = new ArrayList<>();
        List<Release> releases = new ArrayList<>();
        List<RoomChange> roomChanges = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                Op first = queue.take();
                stop = collect(first, saves, releases, roomChanges);
                long deadline = System.nanoTime() + settings.batchDelay().toNanos();
                // What was queued after a close is written after its deletion: collecting stops at a close.
                while (!stop && saves.size() < settings.batchSize() && !closes(first)) {
                    long left = deadline - System.nanoTime();
                    Op next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    stop = collect(next, saves, releases, roomChanges);
                    if (closes(next)) {
                        break;
                    }
                }
            } catch (InterruptedException interrupted) {
                // close() gave up waiting: one more attempt at what is collected, no retries, the rest refused.
                stop = true;
                Thread.currentThread().interrupt();
            }
            // Rooms first: a room is created before anything is published to it, so its row is committed no later
            // than the acks of its first messages. A close comes last in its batch (collecting stops there) and is
            // applied after the messages queued before it.
            for (RoomChange change : roomChanges) {
                if (!change.closes()) {
                    changeRoomUntilDone(change);
                }
            }
            if (!saves.isEmpty()) {
                writeUntilDone(saves);
                saves.clear();
            }
            for (RoomChange change : roomChanges) {
                if (change.closes()) {
                    changeRoomUntilDone(change);
                }
            }
            roomChanges.clear();
            for (Release release : releases) {
                releaseUntilDone(release);
            }
            releases.clear();
        }
        refuseLeftovers();
    }

    /**
     * Answers what reached the queue after the writer stopped (a message accepted in the instant close() began), so
     * no ack and no connect waits for ever; such a message is logged, not silently forgotten.
     */
    private void refuseLeftovers() {
        List<Op> left = new ArrayList<>();
        queue.drainTo(left);
        int messages = 0;
        for (Op op : left) {
            if (op instanceof Save save) {
                messages++;
                if (save.done() != null) {
                    save.done().completeExceptionally(new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                            "the server is shutting down; the message was not stored"));
                }
            } else if (op instanceof Release release) {
                usersWithHeld.add(release.userId());
                release.done().complete(OfflineDelivery.NONE);
            }
        }
        if (messages > 0) {
            LOG.error("event=store_closed_unwritten messages={}", messages);
        }
    }

    private static boolean closes(Op op) {
        return op instanceof RoomChange change && change.closes();
    }

    private static boolean collect(Op op, List<Save> saves, List<Release> releases, List<RoomChange> roomChanges) {
        switch (op) {
            case Save save -> saves.add(save);
            case Release release -> releases.add(release);
            case RoomChange change -> roomChanges.add(change);
            case Stop stop -> {
                return true;
            }
        }
        return false;
    }

    private void writeUntilDone(List<Save> batch) {
        long backoff = 100;
        while (true) {
            try {
                write(batch);
                recovered();
                break;
            } catch (SQLException | RuntimeException failure) {
                if (!backOff(failure, backoff, batch.size())) {
                    for (Save save : batch) {
                        if (save.done() != null) {
                            save.done().completeExceptionally(new ProtocolException(
                                    ErrorCode.TEMPORARILY_UNAVAILABLE, "the message could not be stored"));
                        }
                    }
                    queuedMessages.addAndGet(-batch.size());
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
        queuedMessages.addAndGet(-batch.size());
        committed.addAndGet(batch.size());
        for (Save save : batch) {
            if (save.done() != null) {
                save.done().complete(null);
            }
        }
    }

    private void releaseUntilDone(Release release) {
        long backoff = 100;
        while (true) {
            try {
                release.done().complete(takeHeld(release.userId()));
                recovered();
                return;
            } catch (SQLException | RuntimeException failure) {
                if (!backOff(failure, backoff, 0)) {
                    usersWithHeld.add(release.userId()); // still held: the next connect tries again
                    release.done().completeExceptionally(failure);
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    private void changeRoomUntilDone(RoomChange change) {
        long backoff = 100;
        while (true) {
            try (Connection c = pool.getConnection()) {
                if (change.closes()) {
                    deleteStream(c, change.roomId(), change.closedEpoch());
                    try (PreparedStatement s = c.prepareStatement("DELETE FROM rooms WHERE id = ?")) {
                        s.setString(1, change.roomId());
                        s.executeUpdate();
                    }
                } else {
                    RoomRecord room = change.room();
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO rooms (id, name, description, allowed,"
                            + " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
                            + " description = excluded.description, allowed = excluded.allowed")) {
                        s.setString(1, room.id());
                        s.setString(2, room.name());
                        s.setString(3, room.description());
                        s.setString(4, room.allowed() == null ? null : String.join("\n", room.allowed()));
                        s.setLong(5, clock.millis());
                        s.executeUpdate();
                    }
                }
                recovered();
                return;
            } catch (SQLException | RuntimeException failure) {
                if (!backOff(failure, backoff, 0)) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    /**
     * Deletes the messages of a room's stream in batches, each committed on its own (the connection is in
     * auto-commit), so readers and the retention job never wait long; a retry after a failure resumes where it
     * stopped. Returns how many went.
     */
    private static long deleteStream(Connection c, String roomId, String epoch) throws SQLException {
        long deleted = 0;
        try (PreparedStatement s = c.prepareStatement("DELETE FROM messages WHERE pos IN (SELECT pos FROM messages"
                + " WHERE room_id = ? AND epoch = ? LIMIT ?)")) {
            int batch;
            do {
                s.setString(1, roomId);
                s.setString(2, epoch);
                s.setInt(3, CLOSE_BATCH);
                batch = s.executeUpdate();
                deleted += batch;
            } while (batch == CLOSE_BATCH);
        }
        if (deleted > 0) {
            LOG.info("event=room_messages_deleted room_id={} deleted={}", roomId, deleted);
        }
        return deleted;
    }

    /** Waits before a retry; false when the writer is being interrupted and must give up. */
    private boolean backOff(Exception failure, long millis, int messages) {
        if (healthy) {
            LOG.error("event=store_write_failed messages={} queued={} retry_ms={}", messages, queuedMessages.get(),
                    millis, failure);
        } else {
            LOG.warn("event=store_write_retry messages={} queued={} retry_ms={} error=\"{}\"", messages,
                    queuedMessages.get(), millis, failure.getMessage());
        }
        healthy = false;
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void recovered() {
        if (!healthy) {
            LOG.info("event=store_write_recovered queued={}", queuedMessages.get());
            healthy = true;
        }
    }

    private void write(List<Save> batch) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO messages (id, type, room_id, sender,"
                        + " recipient, conversation, content, data, created_at, seq, epoch)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                    int inserts = 0;
                    for (Save save : batch) {
                        if (ofClosedRoom(save.message()) || isUpdate(save)) {
                            continue;
                        }
                        bind(insert, save.message());
                        insert.addBatch();
                        inserts++;
                    }
                    if (inserts > 0) {
                        insert.executeBatch();
                    }
                }
                applyUpdates(c, batch);
                Set<String> heldFor = new LinkedHashSet<>();
                try (PreparedStatement hold = c.prepareStatement("INSERT INTO offline_messages (user_id, message_id,"
                        + " held_at) VALUES (?, ?, ?) ON CONFLICT (user_id, message_id) DO NOTHING")) {
                    for (Save save : batch) {
                        if (save.offline()) {
                            hold.setString(1, save.message().to());
                            hold.setString(2, save.message().id());
                            hold.setLong(3, save.message().timestamp().toEpochMilli());
                            hold.addBatch();
                            heldFor.add(save.message().to());
                        }
                    }
                    if (!heldFor.isEmpty()) {
                        hold.executeBatch();
                    }
                }
                for (String user : heldFor) {
                    dropOverBound(c, user);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    private static boolean isUpdate(Save save) {
        return MessageType.MESSAGE_UPDATE.equals(save.message().type())
                || MessageType.MESSAGE_DELETED.equals(save.message().type()); // content gone, data {"deleted":true}
    }

    /** The batch's updates, in the order they came, after its inserts (an update may follow its message closely). */
    private static void applyUpdates(Connection c, List<Save> batch) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE messages SET content = ?, data = ? WHERE id = ?")) {
            int updates = 0;
            for (Save save : batch) {
                if (isUpdate(save)) {
                    ServerMessage m = save.message();
                    update.setString(1, m.content());
                    update.setString(2, m.data() instanceof RawJson raw ? raw.json() : null);
                    update.setString(3, m.id());
                    update.addBatch();
                    updates++;
                }
            }
            if (updates > 0) {
                update.executeBatch();
            }
        }
    }

    private boolean ofClosedRoom(ServerMessage message) {
        return message.roomId() != null && message.epoch() != null
                && closedStreams.contains(stream(message.roomId(), message.epoch()));
    }

    private static void bind(PreparedStatement insert, ServerMessage m) throws SQLException {
        insert.setString(1, m.id());
        insert.setString(2, m.type());
        insert.setString(3, m.roomId());
        insert.setString(4, m.from());
        insert.setString(5, m.to());
        insert.setString(6, m.to() == null || m.from() == null ? null : conversation(m.from(), m.to()));
        insert.setString(7, m.content());
        insert.setString(8, m.data() instanceof RawJson raw ? raw.json() : null);
        insert.setLong(9, m.timestamp().toEpochMilli());
        if (m.seq() == null) {
            insert.setNull(10, Types.BIGINT);
        } else {
            insert.setLong(10, m.seq());
        }
        insert.setString(11, m.epoch());
    }

    /** Keeps the newest offline_max held messages of a user; the others are dropped and counted. */
    private void dropOverBound(Connection c, String user) throws SQLException {
        long count;
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM offline_messages WHERE user_id = ?")) {
            s.setString(1, user);
            try (ResultSet rows = s.executeQuery()) {
                rows.next();
                count = rows.getLong(1);
            }
        }
        long over = count - settings.offlineMax();
        if (over <= 0) {
            return;
        }
        int dropped;
        try (PreparedStatement s = c.prepareStatement("DELETE FROM offline_messages WHERE user_id = ? AND message_id"
                + " IN (SELECT o.message_id FROM offline_messages o JOIN messages m ON m.id = o.message_id"
                + " WHERE o.user_id = ? ORDER BY m.pos LIMIT ?)")) {
            s.setString(1, user);
            s.setString(2, user);
            s.setLong(3, over);
            dropped = s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO offline_drops (user_id, dropped) VALUES (?, ?)"
                + " ON CONFLICT (user_id) DO UPDATE SET dropped = offline_drops.dropped + excluded.dropped")) {
            s.setString(1, user);
            s.setLong(2, dropped);
            s.executeUpdate();
        }
    }

    private OfflineDelivery takeHeld(String user) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<ServerMessage> messages = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM offline_messages o"
                        + " JOIN messages m ON m.id = o.message_id WHERE o.user_id = ? ORDER BY m.pos")) {
                    s.setString(1, user);
                    try (ResultSet rows = s.executeQuery()) {
                        while (rows.next()) {
                            messages.add(message(rows));
                        }
                    }
                }
                long dropped = 0;
                try (PreparedStatement s = c.prepareStatement("SELECT dropped FROM offline_drops WHERE user_id = ?")) {
                    s.setString(1, user);
                    try (ResultSet rows = s.executeQuery()) {
                        if (rows.next()) {
                            dropped = rows.getLong(1);
                        }
                    }
                }
                for (String table : List.of("offline_messages", "offline_drops")) {
                    try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE user_id = ?")) {
                        s.setString(1, user);
                        s.executeUpdate();
                    }
                }
                c.commit();
                return new OfflineDelivery(messages, dropped);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool replaces it
        }
    }

    // ---- reads (blocking: callers run them off the event loops) ----

    @Override
    public Page roomMessages(String roomId, String epoch, Long beforeSeq, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM messages m WHERE m.room_id = ? AND m.epoch = ?"
                + (beforeSeq == null ? "" : " AND m.seq < ?") + " ORDER BY m.seq DESC LIMIT ?";
        return page(sql, limit, s -> {
            s.setString(1, roomId);
            s.setString(2, epoch);
            int i = 3;
            if (beforeSeq != null) {
                s.setLong(i++, beforeSeq);
            }
            s.setInt(i, limit + 1);
        });
    }

    @Override
    public Page conversation(String userA, String userB, Instant before, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM messages m WHERE m.conversation = ?"
                + (before == null ? "" : " AND m.created_at < ?") + " ORDER BY m.created_at DESC, m.pos DESC LIMIT ?";
        return page(sql, limit, s -> {
            s.setString(1, conversation(userA, userB));
            int i = 2;
            if (before != null) {
                s.setLong(i++, before.toEpochMilli());
            }
            s.setInt(i, limit + 1);
        });
    }

    @Override
    public Optional<ServerMessage> message(String id) {
        return query("SELECT " + COLUMNS + " FROM messages m WHERE m.id = ?", s -> s.setString(1, id)).stream()
                .findFirst();
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private Page page(String sql, int limit, Binder binder) {
        List<ServerMessage> newestFirst = query(sql, binder);
        boolean hasMore = newestFirst.size() > limit;
        List<ServerMessage> page = new ArrayList<>(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
        Collections.reverse(page);
        return new Page(page, hasMore);
    }

    private List<ServerMessage> query(String sql, Binder binder) {
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            binder.bind(s);
            List<ServerMessage> found = new ArrayList<>();
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    found.add(message(rows));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StoreUnavailableException("the message store cannot be read", e);
        }
    }

    @Override
    public List<SearchHit> search(SearchQuery query) {
        String text = query.text();
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS);
        boolean fts = dialect == Dialect.SQLITE && text.codePointCount(0, text.length()) >= 3;
        if (fts) {
            // Trigram FTS5 finds substrings of 3+ characters; the phrase is quoted so no query syntax applies.
            sql.append(" FROM messages_fts f JOIN messages m ON m.pos = f.rowid WHERE messages_fts MATCH ?");
            parameters.add("\"" + text.replace("\"", "\"\"") + "\"");
        } else if (dialect == Dialect.SQLITE) {
            sql.append(" FROM messages m WHERE m.content LIKE ? ESCAPE '\\'");
            parameters.add("%" + likeEscaped(text) + "%");
        } else {
            sql.append(", similarity(m.content, ?) AS score FROM messages m WHERE m.content ILIKE ? ESCAPE '\\'");
            parameters.add(text);
            parameters.add("%" + likeEscaped(text) + "%");
        }
        if (!query.readsAll()) {
            sql.append(" AND (");
            if (!query.rooms().isEmpty()) {
                sql.append("m.room_id IN (").append(String.join(", ", Collections.nCopies(query.rooms().size(), "?")))
                        .append(") OR ");
                parameters.addAll(query.rooms());
            }
            sql.append("(m.room_id IS NULL AND (m.sender = ? OR m.recipient = ?)))");
            parameters.add(query.reader());
            parameters.add(query.reader());
        }
        if (query.roomId() != null) {
            sql.append(" AND m.room_id = ?");
            parameters.add(query.roomId());
        }
        if (query.from() != null) {
            sql.append(" AND m.sender = ?");
            parameters.add(query.from());
        }
        if (query.since() != null) {
            sql.append(" AND m.created_at >= ?");
            parameters.add(query.since().toEpochMilli());
        }
        if (query.until() != null) {
            sql.append(" AND m.created_at < ?");
            parameters.add(query.until().toEpochMilli());
        }
        sql.append(fts ? " ORDER BY bm25(messages_fts), m.pos DESC"
                : dialect == Dialect.SQLITE ? " ORDER BY m.pos DESC" : " ORDER BY score DESC, m.pos DESC");
        sql.append(" LIMIT ?");
        parameters.add(query.limit());
        List<ServerMessage> found = query(sql.toString(), s -> {
            for (int i = 0; i < parameters.size(); i++) {
                s.setObject(i + 1, parameters.get(i));
            }
        });
        List<SearchHit> hits = new ArrayList<>(found.size());
        for (ServerMessage message : found) {
            String highlight = Highlights.of(message.content(), text);
            hits.add(new SearchHit(message, highlight == null ? Highlights.start(message.content()) : highlight));
        }
        return hits;
    }

    private static String likeEscaped(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    @Override
    public Map<String, StreamPosition> lastPositions() {
        Map<String, String> latestEpochs = new LinkedHashMap<>();
        try (Connection c = pool.getConnection()) {
            try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT room_id, epoch FROM"
                    + " messages WHERE pos IN (SELECT MAX(pos) FROM messages WHERE room_id IS NOT NULL"
                    + " GROUP BY room_id)")) {
                while (rows.next()) {
                    latestEpochs.put(rows.getString(1), rows.getString(2));
                }
            }
            Map<String, StreamPosition> positions = new LinkedHashMap<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT MAX(seq) FROM messages WHERE room_id = ? AND epoch = ?")) {
                for (Map.Entry<String, String> room : latestEpochs.entrySet()) {
                    s.setString(1, room.getKey());
                    s.setString(2, room.getValue());
                    try (ResultSet rows = s.executeQuery()) {
                        rows.next();
                        positions.put(room.getKey(), new StreamPosition(room.getValue(), rows.getLong(1)));
                    }
                }
            }
            return positions;
        } catch (SQLException e) {
            throw new StoreUnavailableException("the message store cannot be read", e);
        }
    }

    @Override
    public List<ServerMessage> recent(String roomId, String epoch, int limit) {
        return roomMessages(roomId, epoch, null, limit).messages();
    }

    @Override
    public int deleteOlderThan(Instant cutoff, int batch) {
        // Small batches by primary key, each its own short transaction, so the table is never locked for long.
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement("DELETE FROM messages"
                + " WHERE pos IN (SELECT pos FROM messages WHERE created_at < ? ORDER BY pos LIMIT ?)")) {
            s.setLong(1, cutoff.toEpochMilli());
            s.setInt(2, batch);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailableException("the message store cannot be written", e);
        }
    }

    // ---- state ----

    /** False while writes fail and the writer is retrying; readiness reports it. */
    public boolean healthy() {
        return healthy;
    }

    /** Messages accepted and not yet committed. */
    public int queued() {
        return queuedMessages.get();
    }

    /** Messages committed since the store opened. */
    public long committed() {
        return committed.get();
    }

    /**
     * Refuses new messages, lets the writer commit everything queued (waiting up to 30 s if the database is down),
     * then closes the pool. Idempotent.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        queue.add(new Stop());
        try {
            writer.join(CLOSE_WAIT.toMillis());
            if (writer.isAlive()) {
                writer.interrupt();
                writer.join(CLOSE_WAIT.toMillis());
                LOG.error("event=store_close_incomplete unwritten={}", queuedMessages.get());
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }

    private static ServerMessage message(ResultSet rows) throws SQLException {
        String data = rows.getString("data");
        long seq = rows.getLong("seq");
        Long maybeSeq = rows.wasNull() ? null : seq;
        return new ServerMessage(rows.getString("id"), rows.getString("type"), rows.getString("sender"),
                rows.getString("recipient"), rows.getString("room_id"), rows.getString("content"),
                data == null ? null : new RawJson(data), Instant.ofEpochMilli(rows.getLong("created_at")),
                maybeSeq, rows.getString("epoch"));
    }

    /** The same key whoever sent the message. */
    static String conversation(String userA, String userB) {
        return userA.compareTo(userB) <= 0 ? userA + "\n" + userB : userB + "\n" + userA;
    }
}
