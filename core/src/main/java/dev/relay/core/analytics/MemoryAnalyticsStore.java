package dev.relay.core.analytics;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Rollups in memory, for a server without persistence: the minutes of the last {@code keep} (a day by default) and
 * the active users of the days they touch, forgotten on the next write after that. Bounded by the recorder's cap per
 * minute, so at most {@code keep} minutes times the cap of cells. One lock: the writer is one thread writing once a
 * second, the readers answer REST calls and the live feed; none of them is an event loop.
 */
public final class MemoryAnalyticsStore implements AnalyticsStore {
    private record MessageKey(String node, String kind, String roomId, String userId) {
    }

    private record FigureKey(String node, String metric, String dim) {
    }

    private final Clock clock;
    private final long keepMinutes;
    private final NavigableMap<Long, Map<MessageKey, Long>> messages = new TreeMap<>();
    private final NavigableMap<Long, Map<FigureKey, Long>> figures = new TreeMap<>();
    private final NavigableMap<Long, Set<String>> activeUsers = new TreeMap<>();

    public MemoryAnalyticsStore(Clock clock, Duration keep) {
        this.clock = clock;
        this.keepMinutes = Math.max(1, keep.toMinutes());
    }

    @Override
    public synchronized void write(AnalyticsBatch batch) {
        for (MessageCell cell : batch.messages()) {
            messages.computeIfAbsent(cell.minute(), minute -> new HashMap<>())
                    .put(new MessageKey(batch.node(), cell.kind(), cell.roomId(), cell.userId()), cell.count());
        }
        for (FigureCell cell : batch.figures()) {
            figures.computeIfAbsent(cell.minute(), minute -> new HashMap<>())
                    .put(new FigureKey(batch.node(), cell.metric(), cell.dim()), cell.value());
        }
        for (ActiveUser user : batch.activeUsers()) {
            activeUsers.computeIfAbsent(user.day(), day -> new HashSet<>()).add(user.userId());
        }
        long now = clock.millis() / 60_000;
        long oldest = now - keepMinutes + 1; // the current minute and keep's others
        deleteBefore(oldest, Math.floorDiv(oldest, 24 * 60));
    }

    @Override
    public synchronized List<KindCount> messages(long from, long to, int bucketMinutes, String roomId) {
        Map<Long, Map<String, Long>> sums = new TreeMap<>();
        messages.subMap(from, to).forEach((minute, cells) -> cells.forEach((key, count) -> {
            if (isMessage(key.kind()) && (roomId == null || isIn(key, roomId))) {
                sums.computeIfAbsent(bucket(minute, bucketMinutes), b -> new TreeMap<>())
                        .merge(key.kind(), count, Long::sum);
            }
        }));
        List<KindCount> out = new ArrayList<>();
        sums.forEach((bucket, kinds) -> kinds.forEach((kind, count) -> out.add(new KindCount(bucket, kind, count))));
        return out;
    }

    @Override
    public synchronized long activeUsers(long from, long to, String roomId) {
        Set<String> users = new HashSet<>();
        messages.subMap(from, to).values().forEach(cells -> cells.keySet().forEach(key -> {
            if ((roomId == null || isIn(key, roomId)) && !key.userId().equals(OTHER)) {
                users.add(key.userId());
            }
        }));
        return users.size();
    }

    @Override
    public synchronized List<RoomRank> topRooms(long from, long to, int limit) {
        Map<String, Long> counts = new HashMap<>();
        Map<String, Set<String>> senders = new HashMap<>();
        messages.subMap(from, to).values().forEach(cells -> cells.forEach((key, count) -> {
            if (key.kind().equals(MessageCell.ROOM)) {
                counts.merge(key.roomId(), count, Long::sum);
                if (!key.userId().equals(OTHER)) {
                    senders.computeIfAbsent(key.roomId(), room -> new HashSet<>()).add(key.userId());
                }
            }
        }));
        return counts.entrySet().stream()
                .map(entry -> new RoomRank(entry.getKey(), entry.getValue(),
                        senders.getOrDefault(entry.getKey(), Set.of()).size()))
                .sorted(Comparator.comparingLong(RoomRank::messages).reversed().thenComparing(RoomRank::roomId))
                .limit(limit).toList();
    }

    @Override
    public synchronized List<UserRank> topUsers(long from, long to, String roomId, int limit) {
        Map<String, Long> counts = new HashMap<>();
        messages.subMap(from, to).values().forEach(cells -> cells.forEach((key, count) -> {
            if (isMessage(key.kind()) && (roomId == null || isIn(key, roomId)) && !key.userId().equals(OTHER)) {
                counts.merge(key.userId(), count, Long::sum);
            }
        }));
        return counts.entrySet().stream().map(entry -> new UserRank(entry.getKey(), entry.getValue()))
                .sorted(Comparator.comparingLong(UserRank::messages).reversed().thenComparing(UserRank::userId))
                .limit(limit).toList();
    }

    @Override
    public synchronized Map<String, Long> figureTotals(long from, long to, String metric) {
        Map<String, Long> totals = new TreeMap<>();
        figures.subMap(from, to).values().forEach(cells -> cells.forEach((key, value) -> {
            if (key.metric().equals(metric)) {
                totals.merge(key.dim(), value, Long::sum);
            }
        }));
        return totals;
    }

    @Override
    public synchronized List<Point> figurePeaks(long from, long to, int bucketMinutes, String metric, String dim) {
        Map<Long, Long> peaks = new TreeMap<>();
        figures.subMap(from, to).forEach((minute, cells) -> cells.forEach((key, value) -> {
            if (key.metric().equals(metric) && key.dim().equals(dim)) {
                peaks.merge(bucket(minute, bucketMinutes), value, Math::max);
            }
        }));
        return peaks.entrySet().stream().map(entry -> new Point(entry.getKey(), entry.getValue())).toList();
    }

    @Override
    public synchronized List<PeriodCount> activeUsersPer(Period period, long fromDay, long toDay) {
        Map<Long, Set<String>> users = new TreeMap<>();
        activeUsers.subMap(fromDay, true, toDay, true).forEach((day, ids) ->
                users.computeIfAbsent(period.start(day), start -> new HashSet<>()).addAll(ids));
        return users.entrySet().stream().map(entry -> new PeriodCount(entry.getKey(), entry.getValue().size()))
                .toList();
    }

    @Override
    public synchronized long deleteBefore(long minute, long day) {
        long deleted = 0;
        for (NavigableMap<Long, ? extends Map<?, ?>> byMinute : List.of(messages.headMap(minute, false),
                figures.headMap(minute, false))) {
            for (Map<?, ?> cells : byMinute.values()) {
                deleted += cells.size();
            }
            byMinute.clear();
        }
        NavigableMap<Long, Set<String>> oldDays = activeUsers.headMap(day, false);
        for (Set<String> users : oldDays.values()) {
            deleted += users.size();
        }
        oldDays.clear();
        return deleted;
    }

    private static boolean isMessage(String kind) {
        return !kind.equals(MessageCell.ONLINE);
    }

    private static boolean isIn(MessageKey key, String roomId) {
        return key.kind().equals(MessageCell.ROOM) && key.roomId().equals(roomId);
    }

    static long bucket(long minute, int bucketMinutes) {
        return Math.floorDiv(minute, bucketMinutes) * bucketMinutes;
    }
}
