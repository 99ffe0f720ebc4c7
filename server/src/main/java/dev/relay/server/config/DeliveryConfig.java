package dev.relay.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How delivery survives reconnects, retries, slow readers and shutdown.
 *
 * @param historySize         messages kept per room for clients that resume
 * @param historyTtl          how long a message is kept for resume
 * @param recoveryMaxMessages most messages a single resume replays; a longer gap gets {@code recovered:false}
 * @param dedupWindow         how long a retried client message id is recognised (0 turns recognition off)
 * @param maxPendingBytes     bytes a connection may have queued and unsent before it counts as slow
 * @param shutdownTimeout     how long a stopping server waits for clients to take their last frames
 */
public record DeliveryConfig(int historySize, Duration historyTtl, int recoveryMaxMessages, Duration dedupWindow,
                             int maxPendingBytes, Duration shutdownTimeout) {
    public DeliveryConfig {
        Objects.requireNonNull(historyTtl, "historyTtl");
        Objects.requireNonNull(dedupWindow, "dedupWindow");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    }
}
