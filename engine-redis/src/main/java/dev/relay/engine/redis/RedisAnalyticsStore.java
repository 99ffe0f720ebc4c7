package dev.relay.engine.redis;

import dev.relay.core.analytics.ActiveUser;
import dev.relay.core.analytics.AnalyticsBatch;
import dev.relay.core.analytics.AnalyticsStore;
import dev.relay.core.analytics.FigureCell;
import dev.relay.core.analytics.MemoryAnalyticsStore;
import dev.relay.core.analytics.MessageCell;
import dev.relay.core.analytics.Period;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Analytics rollups in the cluster's Redis, for nodes without a shared database: every node writes its own cells and
 * every node reads the sum, so each answers with the cluster's figures.
 *
 * <p>Per minute one hash of message cells ({@code analytics:{analytics}:m:<minute>}, field node+kind+room+user to
 * the node's count) and one of figures ({@code ...:f:<minute>}, node+metric+dim to value); a node's write replaces
 * its own fields ({@code HSET}), so a batch written twice changes nothing, like the other stores. Distinct users
 * over minutes are counted exactly from those cells. Active users per day are a HyperLogLog
 * ({@code ...:d:<day>}, {@code PFADD}; weeks and months are a {@code PFCOUNT} over their days), so they take at most
 * 12 KB a day however many users come, at the price of a standard error of about 0.81% (small counts come out exact
 * in practice). Two sorted sets index the minutes and days that have keys, so reads and deletes never scan.
 *
 * <p>Memory is bounded as in {@link MemoryAnalyticsStore}: every key expires {@code keep} after its last write (the
 * minutes of the last day by default, and the days they touch), the indexes are trimmed by this node's clock on each
 * write, and the recorder caps the cells of a minute. Every key carries the hash tag {@code {analytics}}, so on a
 * Redis Cluster the {@code PFCOUNT} over several days runs on one shard.
 *
 * <p>Calls block until Redis answers (bounded by the command timeout): the writer is the analytics thread, the
 * readers its report executor, never an event loop. Reads fetch a range's cells and sum them in memory; the sums of
 * the last range are reused for a second (an overview asks nine questions of one range), so another node's write may
 * show up to a second later, on top of its flush interval; this node's own writes show at once.
 */
public final class RedisAnalyticsStore implements AnalyticsStore {
    private static final String TAG = "analytics:{analytics}:";

    /** How long a range read is reused by the questions after it: other nodes' writes may show this much later. */
    static final long REUSE_NANOS = 1_000_000_000L;
    /**
     * Commands in flight at once for one write, read or delete, and users per {@code PFADD}: the connection and its
     * bound on pending commands are shared with the hub's user state, which a day's 1,440 minutes (or a batch that
     * waited out an outage) must not crowd out.
     */
    static final int CHUNK = 200;

    private final RedisUserState redis;
    private final Clock clock;
    private final long keepMinutes;
    private final long keepSeconds;
    /** Bumped by each write of this node, whose figures a read must then show at once. */
    private final AtomicLong writes = new AtomicLong();
    /** The last range read of messages and of figures: an overview asks nine questions of two ranges. */
    private final AtomicReference<Read> lastMessages = new AtomicReference<>();
    private final AtomicReference<Read> lastFigures = new AtomicReference<>();

    private record Read(long from, long to, long writes, long atNanos, MemoryAnalyticsStore sums) {
        boolean answers(long from, long to, long writes, long nowNanos) {
            return this.from == from && this.to == to && this.writes == writes && nowNanos - atNanos < REUSE_NANOS;
        }
    }

    /**
     * @param redis the node's connection for shared state (not a client of its own)
     * @param keep  how long minutes (and the days they touch) are kept after their last write, as in memory
     */
    public RedisAnalyticsStore(RedisUserState redis, Clock clock, Duration keep) {
        this.redis = redis;
        this.clock = clock;
        this.keepMinutes = Math.max(1, keep.toMinutes());
        this.keepSeconds = keepMinutes * 60;
    }

    @Override
    public void write(AnalyticsBatch batch) {
        writes.incrementAndGet();
        List<Supplier<CompletableFuture<?>>> sent = new ArrayList<>();
        // Keyed by text first: byte arrays compare by identity, and a cell given twice must be one field.
        Map<Long, Map<String, Long>> messages = new TreeMap<>();
        for (MessageCell cell : batch.messages()) {
            messages.computeIfAbsent(cell.minute(), minute -> new HashMap<>()).put(
                    field(batch.node(), cell.kind(), cell.roomId(), cell.userId()), cell.count());
        }
        Map<Long, Map<String, Long>> figures = new TreeMap<>();
        for (FigureCell cell : batch.figures()) {
            figures.computeIfAbsent(cell.minute(), minute -> new HashMap<>()).put(
                    field(batch.node(), cell.metric(), cell.dim()), cell.value());
        }
        Map<Long, List<byte[]>> users = new TreeMap<>();
        for (ActiveUser user : batch.activeUsers()) {
            users.computeIfAbsent(user.day(), day -> new ArrayList<>()).add(Keys.bytes(user.userId()));
        }
        hashes(sent, messages, this::messagesKey, minutesKey());
        hashes(sent, figures, this::figuresKey, minutesKey());
        users.forEach((day, ids) -> {
            byte[] key = dayKey(day);
            for (int from = 0; from < ids.size(); from += CHUNK) {
                byte[][] chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK)).toArray(byte[][]::new);
                sent.add(() -> redis.call(c -> c.pfadd(key, chunk)));
            }
            sent.add(() -> redis.call(c -> c.expire(key, keepSeconds)));
            sent.add(() -> redis.call(c -> c.zadd(daysKey(), day, number(day))));
        });
        // The indexes forget what the keys' expiry took (or will take), so they stay as small as the keys.
        long oldest = clock.millis() / 60_000 - keepMinutes + 1;
        sent.add(() -> redis.call(c -> c.zremrangebyscore(minutesKey(), Range.create(Double.NEGATIVE_INFINITY,
                (double) oldest - 1))));
        sent.add(() -> redis.call(c -> c.zremrangebyscore(daysKey(), Range.create(Double.NEGATIVE_INFINITY,
                (double) Math.floorDiv(oldest, 24 * 60) - 1))));
        sent.add(() -> redis.call(c -> c.expire(minutesKey(), keepSeconds)));
        sent.add(() -> redis.call(c -> c.expire(daysKey(), keepSeconds)));
        inChunks(sent, Supplier::get);
        writes.incrementAndGet(); // a read that began during the write may have missed part of it
    }

    private void hashes(List<Supplier<CompletableFuture<?>>> sent, Map<Long, Map<String, Long>> byMinute,
                        Function<Long, byte[]> keyOf, byte[] index) {
        byMinute.forEach((minute, cells) -> {
            byte[] key = keyOf.apply(minute);
            Map<byte[], byte[]> fields = new HashMap<>();
            cells.forEach((field, value) -> fields.put(Keys.bytes(field), number(value)));
            sent.add(() -> redis.call(c -> c.hset(key, fields)));
            sent.add(() -> redis.call(c -> c.expire(key, keepSeconds)));
            sent.add(() -> redis.call(c -> c.zadd(index, minute, number(minute))));
        });
    }

    @Override
    public List<KindCount> messages(long from, long to, int bucketMinutes, String roomId) {
        return summed(from, to, lastMessages, true).messages(from, to, bucketMinutes, roomId);
    }

    @Override
    public long activeUsers(long from, long to, String roomId) {
        return summed(from, to, lastMessages, true).activeUsers(from, to, roomId);
    }

    @Override
    public List<RoomRank> topRooms(long from, long to, int limit) {
        return summed(from, to, lastMessages, true).topRooms(from, to, limit);
    }

    @Override
    public List<UserRank> topUsers(long from, long to, String roomId, int limit) {
        return summed(from, to, lastMessages, true).topUsers(from, to, roomId, limit);
    }

    @Override
    public Map<String, Long> figureTotals(long from, long to, String metric) {
        return summed(from, to, lastFigures, false).figureTotals(from, to, metric);
    }

    @Override
    public List<Point> figurePeaks(long from, long to, int bucketMinutes, String metric, String dim) {
        return summed(from, to, lastFigures, false).figurePeaks(from, to, bucketMinutes, metric, dim);
    }

    @Override
    public List<PeriodCount> activeUsersPer(Period period, long fromDay, long toDay) {
        Map<Long, List<byte[]>> keysByPeriod = new TreeMap<>();
        for (long day : indexed(daysKey(), fromDay, toDay)) {
            keysByPeriod.computeIfAbsent(period.start(day), start -> new ArrayList<>()).add(dayKey(day));
        }
        Map<Long, CompletableFuture<Long>> counts = new TreeMap<>();
        keysByPeriod.forEach((start, keys) ->
                counts.put(start, redis.call(c -> c.pfcount(keys.toArray(byte[][]::new)))));
        List<PeriodCount> out = new ArrayList<>();
        counts.forEach((start, count) -> {
            long users = await(count);
            if (users > 0) {
                out.add(new PeriodCount(start, users));
            }
        });
        return out;
    }

    @Override
    public long deleteBefore(long minute, long day) {
        writes.incrementAndGet(); // as a write: what a read kept may be gone
        long deleted = 0;
        List<Long> minutes = indexed(minutesKey(), Long.MIN_VALUE, minute - 1);
        List<byte[]> hashes = new ArrayList<>();
        minutes.forEach(old -> {
            hashes.add(messagesKey(old));
            hashes.add(figuresKey(old));
        });
        List<byte[]> days = indexed(daysKey(), Long.MIN_VALUE, day - 1).stream().map(this::dayKey).toList();
        for (long count : inChunks(hashes, key -> redis.call(c -> c.hlen(key)))) {
            deleted += count;
        }
        for (long count : inChunks(days, key -> redis.call(c -> c.pfcount(key)))) {
            deleted += count; // the estimate: a HyperLogLog lists no one
        }
        List<byte[]> keys = new ArrayList<>(hashes);
        keys.addAll(days);
        inChunks(keys, key -> redis.call(c -> c.del(key))); // one key each: on a cluster a DEL may cross shards
        List<Supplier<CompletableFuture<?>>> sent = new ArrayList<>();
        sent.add(() -> redis.call(c -> c.zremrangebyscore(minutesKey(), Range.create(Double.NEGATIVE_INFINITY,
                (double) minute - 1))));
        sent.add(() -> redis.call(c -> c.zremrangebyscore(daysKey(), Range.create(Double.NEGATIVE_INFINITY,
                (double) day - 1))));
        inChunks(sent, Supplier::get);
        writes.incrementAndGet();
        return deleted;
    }

    /** The range's cells of every node, summed in memory: the last read of the range if recent enough. */
    private MemoryAnalyticsStore summed(long from, long to, AtomicReference<Read> last, boolean messages) {
        long written = writes.get();
        long now = System.nanoTime();
        Read read = last.get();
        if (read != null && read.answers(from, to, written, now)) {
            return read.sums();
        }
        MemoryAnalyticsStore sums = read(from, to, messages, !messages);
        last.set(new Read(from, to, written, now, sums));
        return sums;
    }

    /**
     * The range's cells of every node, in a memory store that sums them as it always does: its clock and keep are
     * set so that it forgets none of them.
     */
    private MemoryAnalyticsStore read(long from, long to, boolean messages, boolean figures) {
        Clock atTheEnd = Clock.fixed(Instant.ofEpochSecond(to * 60), clock.getZone());
        MemoryAnalyticsStore sum = new MemoryAnalyticsStore(atTheEnd, Duration.ofMinutes(Math.max(1, to - from + 2)));
        if (to <= from) {
            return sum;
        }
        List<Long> minutes = indexed(minutesKey(), from, to - 1);
        Map<String, List<MessageCell>> messagesByNode = new HashMap<>();
        Map<String, List<FigureCell>> figuresByNode = new HashMap<>();
        if (messages) {
            List<Map<byte[], byte[]>> cells = inChunks(minutes,
                    minute -> redis.call(c -> c.hgetall(messagesKey(minute))));
            for (int i = 0; i < minutes.size(); i++) {
                long minute = minutes.get(i);
                cells.get(i).forEach((field, count) -> {
                    String[] parts = parts(field, 4);
                    messagesByNode.computeIfAbsent(parts[0], node -> new ArrayList<>()).add(new MessageCell(minute,
                            parts[1], parts[2], parts[3], Long.parseLong(Keys.text(count))));
                });
            }
        }
        if (figures) {
            List<Map<byte[], byte[]>> cells = inChunks(minutes,
                    minute -> redis.call(c -> c.hgetall(figuresKey(minute))));
            for (int i = 0; i < minutes.size(); i++) {
                long minute = minutes.get(i);
                cells.get(i).forEach((field, value) -> {
                    String[] parts = parts(field, 3);
                    figuresByNode.computeIfAbsent(parts[0], node -> new ArrayList<>()).add(new FigureCell(minute,
                            parts[1], parts[2], Long.parseLong(Keys.text(value))));
                });
            }
        }
        messagesByNode.forEach((node, cells) -> sum.write(new AnalyticsBatch(node, cells, List.of(), List.of())));
        figuresByNode.forEach((node, cells) -> sum.write(new AnalyticsBatch(node, List.of(), cells, List.of())));
        return sum;
    }

    /** One command per item, {@value #CHUNK} in flight at a time; the answers in the items' order. */
    private static <I, T> List<T> inChunks(List<I> items, Function<I, CompletableFuture<T>> command) {
        List<T> answers = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += CHUNK) {
            List<CompletableFuture<T>> chunk = items.subList(from, Math.min(items.size(), from + CHUNK)).stream()
                    .map(command).toList();
            chunk.forEach(answer -> answers.add(await(answer)));
        }
        return answers;
    }

    /** The minutes or days an index holds from {@code from} to {@code to}, both inclusive. */
    private List<Long> indexed(byte[] index, long from, long to) {
        double low = from == Long.MIN_VALUE ? Double.NEGATIVE_INFINITY : from;
        List<ScoredValue<byte[]>> found = await(redis.call(c -> c.zrangebyscoreWithScores(index,
                Range.create(low, (double) to))));
        return found.stream().map(value -> (long) value.getScore()).toList();
    }

    /**
     * A field of several parts, each as its length, a colon and itself: ids may hold any character, so no separator
     * could be trusted.
     */
    static String field(String... parts) {
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            out.append(part.length()).append(':').append(part);
        }
        return out.toString();
    }

    static String[] parts(byte[] field, int count) {
        String text = Keys.text(field);
        String[] parts = new String[count];
        int at = 0;
        for (int i = 0; i < count; i++) {
            int colon = text.indexOf(':', at);
            int length = Integer.parseInt(text.substring(at, colon));
            parts[i] = text.substring(colon + 1, colon + 1 + length);
            at = colon + 1 + length;
        }
        return parts;
    }

    private static byte[] number(long value) {
        return Keys.bytes(Long.toString(value));
    }

    private byte[] minutesKey() {
        return Keys.bytes(redis.key(TAG + "minutes"));
    }

    private byte[] daysKey() {
        return Keys.bytes(redis.key(TAG + "days"));
    }

    private byte[] messagesKey(long minute) {
        return Keys.bytes(redis.key(TAG + "m:" + minute));
    }

    private byte[] figuresKey(long minute) {
        return Keys.bytes(redis.key(TAG + "f:" + minute));
    }

    private byte[] dayKey(long day) {
        return Keys.bytes(redis.key(TAG + "d:" + day));
    }

    /** Waits for Redis (the command timeout bounds it); its failure as the unchecked one the callers log. */
    private static <T> T await(CompletableFuture<T> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
