package dev.relay.core.store;

/**
 * What a holder of offline messages holds now and has let go, for {@code /ws/stats} and the metrics.
 *
 * @param held      messages held now, across all users
 * @param heldBytes their estimated size in bytes
 * @param dropped   messages dropped since start over a bound (per user, or the total ones), oldest first
 * @param expired   messages dropped since start for being older than the holder's time to live
 */
public record OfflineStats(long held, long heldBytes, long dropped, long expired) {
    /** For a holder that does not count (one whose messages live in a database or Redis). */
    public static final OfflineStats NONE = new OfflineStats(0, 0, 0, 0);
}
