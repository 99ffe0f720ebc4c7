package dev.relay.server.cluster;

import dev.relay.engine.redis.testing.RedisProcesses;
import org.junit.jupiter.api.AfterAll;

import java.util.Map;

/**
 * Every {@link ClusterIT} test with the nodes on a real three-master Redis Cluster ({@code redis-cluster://}),
 * started once for the class: rooms on several shards, sharded pub/sub for rooms, users and broadcasts.
 */
class RedisClusterIT extends ClusterIT {
    private static RedisProcesses.Cluster cluster;

    @Override
    void engineServices() {
        if (cluster == null) {
            cluster = RedisProcesses.cluster(3);
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    /** Sharded subscriptions, counted on the master that owns the channel's slot. */
    @Override
    long roomSubscribers(String roomId) {
        String channel = prefix + "r:{" + roomId + "}";
        String[] lines = cluster.cli(cluster.ownerOf(channel), "PUBSUB", "SHARDNUMSUB", channel).strip().split("\\R");
        return Long.parseLong(lines[lines.length - 1].strip());
    }

    @Override
    Map<String, String> engine() {
        return Map.of("engine", "redis", "redis_url", cluster.url());
    }
}
