package dev.relay.server.config;

import java.time.Duration;
import java.util.Objects;

/** Statistics, metrics and alerts; all planned: accepted and checked, no effect yet. */
public record ObservabilityConfig(boolean enableStatistics, Duration statisticsInterval,
                                  boolean enablePerformanceMetrics, boolean enableAlerts) {
    public ObservabilityConfig {
        Objects.requireNonNull(statisticsInterval, "statisticsInterval");
    }
}
