package dev.relay.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Real-time analytics (docs/operations.md, "Analytics").
 *
 * @param enabled         whether traffic is rolled up and the analytics endpoints and live feed answer
 * @param maxKeysPerMinute message cells (kind, room, sender) a minute keeps apart before the rest are counted in the
 *                        {@code (other)} bucket; also the rooms whose member peak a minute keeps
 * @param maxUsersPerDay  distinct users a node records as active per day
 * @param flushInterval   how often the rollups are written to the store (every second while an admin watches live)
 * @param retentionDays   with persistence, days of rollups kept in the database; without, the last day stays in memory
 */
public record AnalyticsConfig(boolean enabled, int maxKeysPerMinute, int maxUsersPerDay, Duration flushInterval,
                              int retentionDays) {
    public AnalyticsConfig {
        Objects.requireNonNull(flushInterval, "flushInterval");
    }
}
