package dev.relay.engine.redis;

import dev.relay.core.cluster.RoomStreams;
import dev.relay.core.cluster.RoomStreamsContract;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.TextCodec;
import dev.relay.engine.redis.testing.RedisTestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;

/** The Redis broker as the room streams of another broker, on one real Redis, against the contract. */
class RedisRoomStreamsTest extends RoomStreamsContract {
    private final String prefix = RedisTestKeys.freshPrefix();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() {
        RedisTestKeys.delete(prefix);
    }

    @Override
    protected RoomStreams newStreams() {
        return new RedisBroker(new RedisOptions(RedisTestKeys.url(), prefix, "n", STREAM_LENGTH,
                Duration.ofMinutes(1), 1_000, Duration.ofSeconds(2)), new TextCodec());
    }
}
