package dev.relay.core.analytics;

import dev.relay.core.protocol.Timestamps;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The figures of a window, read from an {@link AnalyticsStore}, as JSON-ready values in the shapes of the REST API
 * (docs/protocol.md, "Analytics"). A window ends with the current minute (included, as far as it has been written)
 * and starts {@link Window#minutes()} before. Reads the store: never call on an event loop.
 */
public final class AnalyticsReport {
    /** Rows of the top rooms and top users tables. */
    public static final int TOP = 10;
    private static final String[] KINDS = {MessageCell.ROOM, MessageCell.PRIVATE, MessageCell.BROADCAST};

    private final AnalyticsStore store;
    private final Clock clock;
    private final IntSupplier onlineNow;

    /** @param onlineNow users online now (across the cluster, where this node knows it) */
    public AnalyticsReport(AnalyticsStore store, Clock clock, IntSupplier onlineNow) {
        this.store = store;
        this.clock = clock;
        this.onlineNow = onlineNow;
    }

    /** The minutes a window covers: {@code [from, to)} in epoch minutes, {@code to} just after the current one. */
    record Range(long from, long to, int bucketMinutes) {
        static Range of(long now, int minutes, int bucketMinutes) {
            long to = now + 1;
            return new Range(to - minutes, to, bucketMinutes);
        }
    }

    private Range range(Window window) {
        return Range.of(Math.floorDiv(clock.millis(), 60_000), window.minutes(), window.bucketMinutes());
    }

    /** The whole system's figures over {@code window}. */
    public Map<String, Object> overview(Window window) {
        return overview(window.wireName(), range(window));
    }

    /** The overview of the last minute alone, what the live feed sends every second. */
    public Map<String, Object> lastMinute() {
        return overview("1m", Range.of(Math.floorDiv(clock.millis(), 60_000), 1, 1));
    }

    private Map<String, Object> overview(String windowName, Range r) {
        Map<String, Object> out = head(windowName, r);
        List<AnalyticsStore.KindCount> counts = store.messages(r.from, r.to, r.bucketMinutes, null);
        Map<String, Object> messages = new LinkedHashMap<>();
        Map<String, Long> byKind = new HashMap<>();
        counts.forEach(count -> byKind.merge(count.kind(), count.count(), Long::sum));
        messages.put("total", byKind.values().stream().mapToLong(Long::longValue).sum());
        for (String kind : KINDS) {
            messages.put(kind, byKind.getOrDefault(kind, 0L));
        }
        messages.put("per_minute", series(r, counts));
        out.put("messages", messages);

        Map<String, Object> users = new LinkedHashMap<>();
        users.put("active", store.activeUsers(r.from, r.to, null));
        users.put("online_now", onlineNow.getAsInt());
        List<AnalyticsStore.Point> online = store.figurePeaks(r.from, r.to, r.bucketMinutes, FigureCell.PEAK_ONLINE,
                "");
        users.put("peak_online", online.stream().mapToLong(AnalyticsStore.Point::value).max().orElse(0));
        users.put("per_minute", points(r, online, "peak_online"));
        out.put("users", users);

        Map<String, Object> connections = new LinkedHashMap<>();
        connections.put("opened", store.figureTotals(r.from, r.to, FigureCell.CONNECTIONS_OPENED)
                .getOrDefault("", 0L));
        connections.put("peak", peak(r, FigureCell.PEAK_CONNECTIONS, ""));
        out.put("connections", connections);

        out.put("top_rooms", store.topRooms(r.from, r.to, TOP).stream().map(rank -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("room_id", rank.roomId());
            row.put("messages", rank.messages());
            row.put("active_users", rank.activeUsers());
            return (Object) row;
        }).toList());
        out.put("top_users", topUsers(r, null));
        out.put("latency_ms", latency(r));

        Map<String, Long> byCode = store.figureTotals(r.from, r.to, FigureCell.ERRORS);
        Map<String, Object> errors = new LinkedHashMap<>();
        errors.put("total", byCode.values().stream().mapToLong(Long::longValue).sum());
        errors.put("by_code", new LinkedHashMap<>(byCode));
        out.put("errors", errors);
        return out;
    }

    /** One room's figures over {@code window}; the caller has checked who may see them. */
    public Map<String, Object> room(String roomId, Window window) {
        Range r = range(window);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("room_id", roomId);
        out.putAll(head(window.wireName(), r));
        List<AnalyticsStore.KindCount> counts = store.messages(r.from, r.to, r.bucketMinutes, roomId);
        out.put("messages", counts.stream().mapToLong(AnalyticsStore.KindCount::count).sum());
        out.put("per_minute", series(r, counts));
        out.put("active_users", store.activeUsers(r.from, r.to, roomId));
        out.put("peak_members", peak(r, FigureCell.PEAK_MEMBERS, roomId));
        out.put("top_users", topUsers(r, roomId));
        return out;
    }

    /** Distinct users who connected or sent, per day, week or month, the current period last. */
    public Map<String, Object> activeUsers(Period period) {
        long today = Math.floorDiv(clock.millis(), 86_400_000L);
        long last = period.start(today);
        long first = last;
        for (int i = 1; i < period.points(); i++) {
            first = period.previous(first);
        }
        Map<Long, Long> counts = new HashMap<>();
        store.activeUsersPer(period, first, today).forEach(count -> counts.put(count.start(), count.activeUsers()));
        List<Object> series = new ArrayList<>();
        long start = first;
        for (int i = 0; i < period.points(); i++) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("date", LocalDate.ofEpochDay(start).toString());
            point.put("active_users", counts.getOrDefault(start, 0L));
            series.add(point);
            start = nextStart(period, start);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("period", period.wireName());
        out.put("series", series);
        return out;
    }

    private static long nextStart(Period period, long start) {
        return switch (period) {
            case DAY -> start + 1;
            case WEEK -> start + 7;
            case MONTH -> LocalDate.ofEpochDay(start).plusMonths(1).toEpochDay();
        };
    }

    private static Map<String, Object> head(String windowName, Range r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("window", windowName);
        out.put("from", Timestamps.format(Instant.ofEpochSecond(r.from * 60)));
        out.put("to", Timestamps.format(Instant.ofEpochSecond(r.to * 60)));
        return out;
    }

    /** Every bucket of the range, empty ones included: {@code t}, {@code count} and the count of each kind. */
    private static List<Object> series(Range r, List<AnalyticsStore.KindCount> counts) {
        Map<Long, Map<String, Long>> byBucket = new HashMap<>();
        counts.forEach(count -> byBucket.computeIfAbsent(count.bucket(), b -> new HashMap<>())
                .merge(count.kind(), count.count(), Long::sum));
        List<Object> series = new ArrayList<>();
        for (long bucket = firstBucket(r); bucket < r.to; bucket += r.bucketMinutes) {
            Map<String, Long> kinds = byBucket.getOrDefault(bucket, Map.of());
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("t", Timestamps.format(Instant.ofEpochSecond(bucket * 60)));
            point.put("count", kinds.values().stream().mapToLong(Long::longValue).sum());
            for (String kind : KINDS) {
                point.put(kind, kinds.getOrDefault(kind, 0L));
            }
            series.add(point);
        }
        return series;
    }

    private static List<Object> points(Range r, List<AnalyticsStore.Point> values, String name) {
        Map<Long, Long> byBucket = new HashMap<>();
        values.forEach(point -> byBucket.put(point.bucket(), point.value()));
        List<Object> series = new ArrayList<>();
        for (long bucket = firstBucket(r); bucket < r.to; bucket += r.bucketMinutes) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("t", Timestamps.format(Instant.ofEpochSecond(bucket * 60)));
            point.put(name, byBucket.getOrDefault(bucket, 0L));
            series.add(point);
        }
        return series;
    }

    private static long firstBucket(Range r) {
        return MemoryAnalyticsStore.bucket(r.from, r.bucketMinutes);
    }

    /** The highest value of a peak metric in the range (the range's buckets' peaks, 0 when none was sampled). */
    private long peak(Range r, String metric, String dim) {
        return store.figurePeaks(r.from, r.to, r.bucketMinutes, metric, dim).stream()
                .mapToLong(AnalyticsStore.Point::value).max().orElse(0);
    }

    private List<Object> topUsers(Range r, String roomId) {
        return store.topUsers(r.from, r.to, roomId, TOP).stream().map(rank -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("user_id", rank.userId());
            row.put("messages", rank.messages());
            return (Object) row;
        }).toList();
    }

    private Map<String, Object> latency(Range r) {
        long[] counts = new long[LatencyBuckets.COUNT];
        store.figureTotals(r.from, r.to, FigureCell.LATENCY).forEach((bucket, count) -> {
            int index = Integer.parseInt(bucket);
            if (index >= 0 && index < counts.length) {
                counts[index] += count;
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("p50", LatencyBuckets.percentile(counts, 0.50));
        out.put("p95", LatencyBuckets.percentile(counts, 0.95));
        out.put("p99", LatencyBuckets.percentile(counts, 0.99));
        return out;
    }
}
