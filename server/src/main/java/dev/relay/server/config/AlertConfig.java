package dev.relay.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * When alerts fire and where they are sent. Ratios are fractions in (0, 1].
 *
 * @param connectionsRatio open connections over max_connections above which the connections alert fires
 * @param latencyP99       99th percentile of delivery latency above which the latency alert fires
 * @param errorRate        failed client messages and REST calls over all of them, in one check interval
 * @param heapRatio        used heap over maximum heap
 * @param checkInterval    how often the thresholds are checked
 * @param webhookUrl       where firing and clearing are POSTed as JSON; empty posts nothing
 * @param webhookCooldown  least time between two POSTs about the same alert
 */
public record AlertConfig(double connectionsRatio, Duration latencyP99, double errorRate, double heapRatio,
                          Duration checkInterval, Optional<URI> webhookUrl, Duration webhookCooldown) {
    public AlertConfig {
        Objects.requireNonNull(latencyP99, "latencyP99");
        Objects.requireNonNull(checkInterval, "checkInterval");
        Objects.requireNonNull(webhookUrl, "webhookUrl");
        Objects.requireNonNull(webhookCooldown, "webhookCooldown");
    }
}
