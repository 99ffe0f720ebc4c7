package dev.relay.core.analytics;

import dev.relay.core.event.EventListener;
import dev.relay.core.event.RelayEvent;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.session.Session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rolls this node's traffic up per minute. Two sides, so an event loop never waits:
 * <ul>
 * <li>as an {@link EventListener} (on the event stream's thread for it) it counts accepted messages per minute, kind,
 * room and sender, and users coming online; the stream reports each message once (a retry with the same id, a
 * resume and a replay are not new messages) and each user's first connection once, so counts are exact unless the
 * stream's queue overflowed (counted in {@code relay_events_dropped_total{listener="analytics"}});</li>
 * <li>as a {@link HubObserver} (on event loops) it only bumps counters: connections opened, errors by code,
 * delivery latency by bucket (when the lanes time deliveries, {@code enable_performance_metrics}).</li>
 * </ul>
 * {@link #drain} (the analytics thread, every flush) folds the counters into the current minute and hands over every
 * cell changed since the last drain with its absolute value. A minute holds at most {@code maxCells} message cells;
 * more senders or rooms in it are counted under {@link AnalyticsStore#OTHER}, so one-off room names cannot grow the
 * heap; likewise at most {@code maxCells} peak-member rooms per minute and {@code maxUsersPerDay} active users a day.
 */
public final class AnalyticsRecorder implements EventListener, HubObserver {
    /** The listener's name in the event stream's metrics. */
    public static final String NAME = "analytics";
    /**
     * Minutes kept open for late events: an event is counted in its own minute if that is at most this many minutes
     * before the newest, else in the oldest open one. Cells are written as absolute values, so a closed minute must
     * never be counted into again (it would restart from zero).
     */
    static final int OPEN_MINUTES = 3;
    static final int BATCH_MILLIS = 50;

    private record MessageKey(String kind, String roomId, String userId) {
    }

    private record FigureKey(String metric, String dim) {
    }

    /** One minute's cells and which of them changed since the last drain. */
    private static final class Minute {
        final Map<MessageKey, long[]> messages = new HashMap<>();
        final Map<FigureKey, long[]> figures = new HashMap<>();
        final Set<MessageKey> dirtyMessages = new LinkedHashSet<>();
        final Set<FigureKey> dirtyFigures = new LinkedHashSet<>();
        int peakMemberRooms;
    }

    private final String node = UUID.randomUUID().toString();
    private final Clock clock;
    private final int maxCells;
    private final int maxUsersPerDay;

    // Event-loop side: counters only.
    private final LongAdder opened = new LongAdder();
    private final AtomicLongArray errors = new AtomicLongArray(ErrorCode.values().length);
    private final AtomicLongArray latency = new AtomicLongArray(LatencyBuckets.COUNT);

    // The listener's and the drain's side, under this object's lock (neither runs on an event loop).
    private final TreeMap<Long, Minute> minutes = new TreeMap<>();
    private final TreeMap<Long, Set<String>> daysSeen = new TreeMap<>();
    private final List<ActiveUser> newActive = new ArrayList<>();
    private final long[] errorsFolded = new long[ErrorCode.values().length];
    private final long[] latencyFolded = new long[LatencyBuckets.COUNT];
    private long openedFolded;

    /**
     * @param maxCells       message cells (kind, room, sender) per minute before the rest go to the other bucket;
     *                       also the rooms whose member peak a minute keeps
     * @param maxUsersPerDay active users remembered a day; more are not recorded as active that day
     */
    public AnalyticsRecorder(Clock clock, int maxCells, int maxUsersPerDay) {
        if (maxCells < 1 || maxUsersPerDay < 1) {
            throw new IllegalArgumentException("the caps must be positive");
        }
        this.clock = clock;
        this.maxCells = maxCells;
        this.maxUsersPerDay = maxUsersPerDay;
    }

    /** This node's id in the store for this run; a restart writes under a new one and never overwrites the old. */
    public String node() {
        return node;
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Counts are read once a second: taking what queued every {@value #BATCH_MILLIS} ms spares the event loops a
     * thread wake-up per message (at 4,000 messages a second that wake-up cost more than everything else analytics
     * does), and the queue's 10,000 events hold {@value #BATCH_MILLIS} ms of 200,000 messages a second.
     */
    @Override
    public Duration batchDelay() {
        return Duration.ofMillis(BATCH_MILLIS);
    }

    // ---- the event stream (its own thread) ----

    @Override
    public synchronized void onEvent(RelayEvent event) {
        switch (event) {
            case RelayEvent.RoomMessage m -> count(m.at(), MessageCell.ROOM, m.roomId(), m.userId());
            case RelayEvent.PrivateMessage m -> count(m.at(), MessageCell.PRIVATE, "", m.userId());
            case RelayEvent.Broadcast m -> count(m.at(), MessageCell.BROADCAST, "", m.userId());
            case RelayEvent.UserOnline online -> count(online.at(), MessageCell.ONLINE, "", online.userId());
            default -> {
            }
        }
    }

    private void count(Instant at, String kind, String roomId, String userId) {
        long minute = minuteOf(at);
        Minute cells = minutes.get(minute);
        MessageKey key = new MessageKey(kind, roomId, userId);
        if (!cells.messages.containsKey(key) && cells.messages.size() >= maxCells) {
            key = new MessageKey(kind, roomId.isEmpty() ? "" : AnalyticsStore.OTHER, AnalyticsStore.OTHER);
        }
        cells.messages.computeIfAbsent(key, k -> new long[1])[0]++;
        cells.dirtyMessages.add(key);
        active(Math.floorDiv(minute, 24 * 60), userId);
    }

    private void active(long day, String userId) {
        Set<String> seen = daysSeen.computeIfAbsent(day, d -> new HashSet<>());
        if (seen.size() < maxUsersPerDay && seen.add(userId)) {
            newActive.add(new ActiveUser(day, userId));
        }
    }

    /** The open minute an event at {@code at} is counted in, opening minutes up to the clock's. */
    private long minuteOf(Instant at) {
        long now = Math.floorDiv(clock.millis(), 60_000);
        long minute = Math.min(Math.floorDiv(at.toEpochMilli(), 60_000), now);
        open(now);
        return Math.max(minute, minutes.firstKey());
    }

    private void open(long now) {
        if (minutes.isEmpty() || minutes.lastKey() < now) {
            minutes.put(now, new Minute());
        }
    }

    // ---- the hub's observer (event loops): counters only ----

    @Override
    public void connected(Session session) {
        opened.increment();
    }

    @Override
    public void refused(Session session, ErrorCode code) {
        errors.incrementAndGet(code.ordinal());
    }

    @Override
    public void flushed(int writes, long bytes, long flushedNanos, long[] acceptedNanos, int count) {
        if (acceptedNanos == null) {
            return; // the lanes do not time deliveries (enable_performance_metrics is off)
        }
        for (int i = 0; i < count; i++) {
            latency.incrementAndGet(LatencyBuckets.of(flushedNanos - acceptedNanos[i]));
        }
    }

    // ---- the analytics thread ----

    /**
     * Records what the node sees now (online users and connections, across the cluster where the node knows them, and
     * its rooms' members) as the current minute's peaks.
     */
    public synchronized void sample(int onlineUsers, int connections, Map<String, Integer> roomMembers) {
        long now = Math.floorDiv(clock.millis(), 60_000);
        open(now);
        Minute cells = minutes.get(now);
        peak(cells, new FigureKey(FigureCell.PEAK_ONLINE, ""), onlineUsers);
        peak(cells, new FigureKey(FigureCell.PEAK_CONNECTIONS, ""), connections);
        roomMembers.forEach((roomId, members) -> {
            FigureKey key = new FigureKey(FigureCell.PEAK_MEMBERS, roomId);
            if (cells.figures.containsKey(key) || cells.peakMemberRooms < maxCells) {
                if (!cells.figures.containsKey(key)) {
                    cells.peakMemberRooms++;
                }
                peak(cells, key, members);
            }
        });
    }

    private static void peak(Minute cells, FigureKey key, long value) {
        long[] cell = cells.figures.computeIfAbsent(key, k -> new long[]{Long.MIN_VALUE});
        if (value > cell[0]) {
            cell[0] = value;
            cells.dirtyFigures.add(key);
        }
    }

    private static void add(Minute cells, FigureKey key, long delta) {
        if (delta != 0) {
            cells.figures.computeIfAbsent(key, k -> new long[1])[0] += delta;
            cells.dirtyFigures.add(key);
        }
    }

    /**
     * Every cell changed since the last drain, with its value now, and the users newly active; closes minutes older
     * than {@link #OPEN_MINUTES}. The counters of event loops are counted in the current minute.
     */
    public synchronized AnalyticsBatch drain() {
        long now = Math.floorDiv(clock.millis(), 60_000);
        open(now);
        Minute current = minutes.get(now);
        long openedNow = opened.sum();
        add(current, new FigureKey(FigureCell.CONNECTIONS_OPENED, ""), openedNow - openedFolded);
        openedFolded = openedNow;
        ErrorCode[] codes = ErrorCode.values();
        for (int i = 0; i < codes.length; i++) {
            long total = errors.get(i);
            add(current, new FigureKey(FigureCell.ERRORS, codes[i].code()), total - errorsFolded[i]);
            errorsFolded[i] = total;
        }
        for (int i = 0; i < LatencyBuckets.COUNT; i++) {
            long total = latency.get(i);
            add(current, new FigureKey(FigureCell.LATENCY, Integer.toString(i)), total - latencyFolded[i]);
            latencyFolded[i] = total;
        }
        List<MessageCell> messages = new ArrayList<>();
        List<FigureCell> figures = new ArrayList<>();
        minutes.forEach((minute, cells) -> {
            for (MessageKey key : cells.dirtyMessages) {
                messages.add(new MessageCell(minute, key.kind(), key.roomId(), key.userId(),
                        cells.messages.get(key)[0]));
            }
            for (FigureKey key : cells.dirtyFigures) {
                figures.add(new FigureCell(minute, key.metric(), key.dim(), cells.figures.get(key)[0]));
            }
            cells.dirtyMessages.clear();
            cells.dirtyFigures.clear();
        });
        minutes.headMap(now - OPEN_MINUTES + 1, false).clear();
        daysSeen.headMap(Math.floorDiv(now, 24 * 60) - 1, false).clear();
        AnalyticsBatch batch = new AnalyticsBatch(node, messages, figures, newActive);
        newActive.clear();
        return batch;
    }

    /**
     * Marks a batch that could not be written as changed again, so the next drain writes it with the values of then
     * (a minute closed meanwhile is lost: it cannot be counted into again).
     */
    public synchronized void unwritten(AnalyticsBatch batch) {
        for (MessageCell cell : batch.messages()) {
            Minute cells = minutes.get(cell.minute());
            if (cells != null) {
                cells.dirtyMessages.add(new MessageKey(cell.kind(), cell.roomId(), cell.userId()));
            }
        }
        for (FigureCell cell : batch.figures()) {
            Minute cells = minutes.get(cell.minute());
            if (cells != null) {
                cells.dirtyFigures.add(new FigureKey(cell.metric(), cell.dim()));
            }
        }
        newActive.addAll(batch.activeUsers());
    }
}
