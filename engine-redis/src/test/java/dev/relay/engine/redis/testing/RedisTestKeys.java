package dev.relay.engine.redis.testing;

import dev.relay.core.testing.ExternalService;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;

import java.util.UUID;

/** A key prefix of a test's own on the real shared Redis, and the cleaning up after it. */
public final class RedisTestKeys {
    private RedisTestKeys() {
    }

    public static String freshPrefix() {
        return "relay-test-" + UUID.randomUUID() + ":";
    }

    public static String url() {
        return "redis://" + ExternalService.REDIS.host() + ":" + ExternalService.REDIS.port();
    }

    public static void delete(String prefix) {
        RedisClient client = RedisClient.create(url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "*").limit(500));
            while (keys.hasNext()) {
                c.sync().del(keys.next());
            }
        } finally {
            client.shutdown();
        }
    }

    /** A plain connection, to look at what the engine wrote. */
    public static <T> T inspect(java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> look) {
        RedisClient client = RedisClient.create(url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return look.apply(c.sync());
        } finally {
            client.shutdown();
        }
    }
}
