package dev.relay.engine.nats;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.cluster.RoomPresenceContract;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.TextCodec;
import dev.relay.engine.redis.RedisBroker;
import dev.relay.engine.redis.RedisOptions;
import dev.relay.engine.redis.RedisRoomPresence;
import dev.relay.engine.redis.testing.RedisTestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * Room presence as the NATS engine runs it against the contract: kept and decided in the real Redis, the events sent
 * over the real NATS by the broker.
 */
class NatsRoomPresenceTest extends RoomPresenceContract {
    private final String prefix = "relaytest" + UUID.randomUUID().toString().substring(0, 8) + ":";

    @BeforeEach
    void services() {
        ExternalService.REDIS.assumeAvailable();
        ExternalService.NATS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() {
        RedisTestKeys.delete(prefix);
    }

    @Override
    protected Broker newBroker(String nodeId) {
        RedisBroker streams = new RedisBroker(new RedisOptions(RedisTestKeys.url(), prefix, nodeId, 100,
                Duration.ofMinutes(1), 1_000, Duration.ofSeconds(2)), new TextCodec());
        return new NatsBroker("nats://" + ExternalService.NATS.host() + ":" + ExternalService.NATS.port(), prefix,
                nodeId, Duration.ofSeconds(2), new TextCodec(), streams);
    }

    @Override
    protected RoomPresence newPresence(String nodeId, Broker broker) {
        return new RedisRoomPresence(RedisTestKeys.url(), prefix, nodeId, new TextCodec(), broker, false);
    }

    @Override
    protected void settle(RoomPresence presence) {
        await().atMost(WAIT).until(() -> ((RedisRoomPresence) presence).pending() == 0);
    }

    @Override
    protected void reap(RoomPresence survivor, String deadNodeId) {
        ((RedisRoomPresence) survivor).reap(deadNodeId).join();
    }
}
