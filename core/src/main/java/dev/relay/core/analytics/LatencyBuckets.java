package dev.relay.core.analytics;

/**
 * Delivery latency as counts in logarithmic buckets, so minutes and nodes merge by adding and percentiles come out
 * of the sum: four buckets per doubling from one microsecond (each about 19% wide, which bounds the error of a
 * percentile) up to about 17 minutes; bucket 0 holds everything under a microsecond.
 */
public final class LatencyBuckets {
    public static final int COUNT = 4 * 30 + 1;

    private LatencyBuckets() {
    }

    /** The bucket of a latency in nanoseconds. */
    public static int of(long nanos) {
        long micros = nanos / 1_000;
        if (micros < 1) {
            return 0;
        }
        int index = 1 + (int) Math.floor(4 * Math.log(micros) / Math.log(2));
        return Math.min(COUNT - 1, index);
    }

    /** The upper bound of a bucket in milliseconds: what a percentile falling in it is reported as. */
    public static double upperMillis(int bucket) {
        if (bucket == 0) {
            return 0.001;
        }
        return Math.pow(2, bucket / 4.0) / 1_000;
    }

    /**
     * The latency at {@code percentile} (0..1) of the counts, in milliseconds rounded to microseconds, or null when
     * nothing was counted.
     */
    public static Double percentile(long[] counts, double percentile) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        if (total == 0) {
            return null;
        }
        long rank = (long) Math.ceil(percentile * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                return Math.round(upperMillis(i) * 1_000) / 1_000.0;
            }
        }
        return Math.round(upperMillis(counts.length - 1) * 1_000) / 1_000.0;
    }
}
