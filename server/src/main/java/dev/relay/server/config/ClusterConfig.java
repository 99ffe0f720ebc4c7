package dev.relay.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Running several nodes as one server. {@code engine} decides; the seed's two switches only declare the intent, and
 * a declaration that the engine cannot honour ({@code memory}) is refused at start.
 */
public record ClusterConfig(boolean enableLoadBalancing, boolean enableMessageQueue, String engine, URI redisUrl,
                            URI natsUrl, String redisKeyPrefix, Optional<String> nodeId, Duration presenceTtl,
                            int redisWaitReplicas) {
    public static final String MEMORY = "memory";
    public static final String REDIS = "redis";
    public static final String NATS = "nats";

    /** Whether {@code redis_url} names a Redis Cluster rather than one server or its Sentinels. */
    public boolean redisCluster() {
        return redisUrl.getScheme().toLowerCase(java.util.Locale.ROOT).endsWith("-cluster");
    }

    public boolean clustered() {
        return !MEMORY.equals(engine);
    }
}
