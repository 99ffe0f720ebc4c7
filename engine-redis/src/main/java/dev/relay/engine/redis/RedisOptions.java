package dev.relay.engine.redis;

import java.time.Duration;

/**
 * How a node uses Redis.
 *
 * @param url            {@code redis://host:port[/db]}, {@code rediss://...}, Lettuce's
 *                       {@code redis-sentinel://h1:p1,h2:p2[/db]#master}, or {@code redis-cluster://h1:p1,h2:p2}
 *                       ({@code rediss-cluster://} with TLS) for a Redis Cluster
 * @param keyPrefix      put before every key and channel, so several clusters (or test runs) share one Redis
 * @param nodeId         this node's name, unique in the cluster
 * @param streamLength   messages kept per room in its Redis stream (approximately: Redis trims in whole blocks,
 *                       never below this); what a node can recover after an outage
 * @param dedupWindow    how long a retried client message id is recognised cluster-wide; zero turns it off
 * @param maxPending     publishes in flight to Redis at most; more are refused as {@code overloaded}
 * @param commandTimeout how long a command may take before it fails as {@code broker_unavailable}
 * @param waitReplicas   replicas that must confirm a room message ({@code WAIT}) before it is acknowledged and
 *                       delivered; zero acknowledges what the master alone has (a failover may lose it)
 */
public record RedisOptions(String url, String keyPrefix, String nodeId, int streamLength, Duration dedupWindow,
                           int maxPending, Duration commandTimeout, int waitReplicas) {
    /** Acknowledges what the master alone has. */
    public RedisOptions(String url, String keyPrefix, String nodeId, int streamLength, Duration dedupWindow,
                        int maxPending, Duration commandTimeout) {
        this(url, keyPrefix, nodeId, streamLength, dedupWindow, maxPending, commandTimeout, 0);
    }

    public RedisOptions {
        if (waitReplicas < 0) {
            throw new IllegalArgumentException("waitReplicas must not be negative");
        }
        if (streamLength < 1 || maxPending < 1) {
            throw new IllegalArgumentException("streamLength and maxPending must be positive");
        }
        if (nodeId == null || nodeId.isEmpty() || nodeId.contains("\n")) {
            throw new IllegalArgumentException("nodeId must be a non-empty line");
        }
    }
}
