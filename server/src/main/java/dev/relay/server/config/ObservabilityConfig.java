package dev.relay.server.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Statistics, metrics, alerts, logs and the internal port.
 *
 * @param enableStatistics         whether a PERFORMANCE line is logged every {@code statisticsInterval}
 * @param enablePerformanceMetrics whether delivery latency is measured (histogram, p50/p99, latency alert)
 * @param enableAlerts             whether alert thresholds are checked
 * @param internalPort             port serving /metrics and /health/* apart from the public one; empty serves
 *                                 them on the public port; 0 picks a free port
 * @param internalAdmin            with an internal port, whether the admin endpoints move there too
 */
public record ObservabilityConfig(boolean enableStatistics, Duration statisticsInterval,
                                  boolean enablePerformanceMetrics, boolean enableAlerts, AlertConfig alerts,
                                  LogConfig logs, Optional<Integer> internalPort, boolean internalAdmin) {
    public ObservabilityConfig {
        Objects.requireNonNull(statisticsInterval, "statisticsInterval");
        Objects.requireNonNull(alerts, "alerts");
        Objects.requireNonNull(logs, "logs");
        Objects.requireNonNull(internalPort, "internalPort");
    }
}
