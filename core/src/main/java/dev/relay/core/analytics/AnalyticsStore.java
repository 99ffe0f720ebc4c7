package dev.relay.core.analytics;

import java.util.List;
import java.util.Map;

/**
 * Where rollups are kept and summed: in memory ({@link MemoryAnalyticsStore}, the last day) or in the message store's
 * database ({@code store-jdbc}), where several nodes write and every node reads the cluster's figures. Ranges are
 * epoch minutes, {@code from} inclusive and {@code to} exclusive; a null {@code roomId} means every room and kind.
 * Users recorded as {@link #OTHER} (past the cap of a minute) are counted in totals but never as a distinct user.
 * Writes come from one thread per node; reads from any thread. Reads block (SQL): never call them on an event loop.
 */
public interface AnalyticsStore extends AutoCloseable {
    /** The room and user of the cells past a minute's cap. */
    String OTHER = "(other)";

    /** Messages per kind, summed over nodes ({@code room}, {@code private}, {@code broadcast}; never online). */
    record KindCount(long bucket, String kind, long count) {
    }

    record RoomRank(String roomId, long messages, long activeUsers) {
    }

    record UserRank(String userId, long messages) {
    }

    /** A figure per bucket: the bucket's first minute and its value. */
    record Point(long bucket, long value) {
    }

    /** Distinct active users in the period starting on {@code start} (epoch day). */
    record PeriodCount(long start, long activeUsers) {
    }

    /** Replaces this node's cells with the batch's values and adds its active users. */
    void write(AnalyticsBatch batch);

    /**
     * Messages per bucket and kind: {@code bucket} is the first minute of a bucket of {@code bucketMinutes} (buckets
     * are aligned to multiples of it); buckets without messages are left out.
     */
    List<KindCount> messages(long from, long to, int bucketMinutes, String roomId);

    /** Distinct users (never {@link #OTHER}) who sent (in the room, if given) or came online in the range. */
    long activeUsers(long from, long to, String roomId);

    /** The rooms with the most messages, most first (then by id), with their distinct senders. */
    List<RoomRank> topRooms(long from, long to, int limit);

    /** The users who sent the most messages (in the room, if given), most first (then by id); not {@link #OTHER}. */
    List<UserRank> topUsers(long from, long to, String roomId, int limit);

    /** A total metric summed over minutes and nodes, per {@code dim}. */
    Map<String, Long> figureTotals(long from, long to, String metric);

    /**
     * A peak metric (of one {@code dim}) per bucket: the highest value any node sampled in it; buckets without a
     * sample are left out.
     */
    List<Point> figurePeaks(long from, long to, int bucketMinutes, String metric, String dim);

    /** Distinct active users per period of the days {@code fromDay} to {@code toDay} inclusive; empty periods left out. */
    List<PeriodCount> activeUsersPer(Period period, long fromDay, long toDay);

    /** Forgets cells before {@code minute} and active users before {@code day}; answers how many rows went. */
    long deleteBefore(long minute, long day);

    @Override
    default void close() {
    }
}
