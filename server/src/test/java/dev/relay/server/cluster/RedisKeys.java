package dev.relay.server.cluster;

import dev.relay.core.testing.ExternalService;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;

import java.util.UUID;

/** A key prefix of one test's own on the shared Redis, and its removal afterwards. */
public final class RedisKeys {
    private RedisKeys() {
    }

    public static String url(int port) {
        return "redis://" + ExternalService.REDIS.host() + ":" + port;
    }

    public static String freshPrefix() {
        return "relay-it-" + UUID.randomUUID().toString().substring(0, 12) + ":";
    }

    /** How many connections (one per node) are subscribed to the channel. */
    static long subscribers(String channel) {
        RedisClient client = RedisClient.create(url(ExternalService.REDIS.port()));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().pubsubNumsub(channel).getOrDefault(channel, 0L);
        } finally {
            client.shutdown();
        }
    }

    public static void delete(String prefix) {
        RedisClient client = RedisClient.create(url(ExternalService.REDIS.port()));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "*").limit(500));
            while (keys.hasNext()) {
                c.sync().del(keys.next());
            }
        } finally {
            client.shutdown();
        }
    }
}
