package dev.relay.core.analytics;

/**
 * One node's figure for one minute: a total so far ({@link #CONNECTIONS_OPENED}, {@link #ERRORS} by code,
 * {@link #LATENCY} by bucket) or the highest value sampled ({@link #PEAK_ONLINE}, {@link #PEAK_CONNECTIONS},
 * {@link #PEAK_MEMBERS} by room). Totals add up across nodes, peaks take the highest.
 *
 * @param minute epoch minute (UTC)
 * @param dim    what the metric is split by (an error code, a bucket, a room), or empty
 */
public record FigureCell(long minute, String metric, String dim, long value) {
    public static final String CONNECTIONS_OPENED = "connections_opened";
    public static final String ERRORS = "errors";
    public static final String LATENCY = "latency";
    public static final String PEAK_ONLINE = "peak_online";
    public static final String PEAK_CONNECTIONS = "peak_connections";
    public static final String PEAK_MEMBERS = "peak_members";

    /** Whether values of this metric are peaks (highest wins) rather than totals (they add up). */
    public static boolean isPeak(String metric) {
        return metric.startsWith("peak_");
    }
}
