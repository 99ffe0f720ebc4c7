package dev.relay.engine.redis;

import java.time.Duration;

/**
 * How a node uses Redis.
 *
 * @param url            {@code redis://host:port[/db]}, {@code rediss://...}, or Lettuce's {@code redis-sentinel://}
 * @param keyPrefix      put before every key and channel, so several clusters (or test runs) share one Redis
 * @param nodeId         this node's name, unique in the cluster
 * @param streamLength   messages kept per room in its Redis stream (approximately: Redis trims in whole blocks,
 *                       never below this); what a node can recover after an outage
 * @param dedupWindow    how long a retried client message id is recognised cluster-wide; zero turns it off
 * @param maxPending     publishes in flight to Redis at most; more are refused as {@code overloaded}
 * @param commandTimeout how long a command may take before it fails as {@code broker_unavailable}
 */
public record RedisOptions(String url, String keyPrefix, String nodeId, int streamLength, Duration dedupWindow,
                           int maxPending, Duration commandTimeout) {
    public RedisOptions {
        if (streamLength < 1 || maxPending < 1) {
            throw new IllegalArgumentException("streamLength and maxPending must be positive");
        }
        if (nodeId == null || nodeId.isEmpty() || nodeId.contains("\n")) {
            throw new IllegalArgumentException("nodeId must be a non-empty line");
        }
    }
}
