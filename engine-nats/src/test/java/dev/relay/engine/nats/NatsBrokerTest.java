package dev.relay.engine.nats;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.BrokerContract;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.RecordingInbound;
import dev.relay.core.testing.TextCodec;
import dev.relay.engine.redis.RedisBroker;
import dev.relay.engine.redis.RedisOptions;
import dev.relay.engine.redis.testing.RedisTestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The NATS broker against the broker contract, on the real NATS (fan-out) with its room streams in the real Redis,
 * under a prefix of its own; and what only it does: ids that would be NATS wildcards.
 */
class NatsBrokerTest extends BrokerContract {
    // NATS subjects take letters, digits, '-' and '_' only: the Redis prefix's ':' is dropped there.
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
        RedisBroker streams = new RedisBroker(new RedisOptions(RedisTestKeys.url(), prefix, nodeId, STREAM_LENGTH,
                Duration.ofMinutes(1), 1_000, Duration.ofSeconds(2)), new TextCodec());
        return new NatsBroker("nats://" + ExternalService.NATS.host() + ":" + ExternalService.NATS.port(), prefix,
                nodeId, Duration.ofSeconds(2), new TextCodec(), streams);
    }

    @Test
    void user_ids_that_look_like_wildcards_are_one_literal_subject_each() {
        assertThat(NatsBroker.fromToken(NatsBroker.token("a.b*>ü"))).isEqualTo("a.b*>ü");
        assertThat(NatsBroker.token("a.b*>ü")).matches("[A-Za-z0-9_-]+");

        RecordingInbound inB = new RecordingInbound();
        Broker a = node("a", new RecordingInbound());
        Broker b = node("b", inB);
        b.followUser(">");
        await().atMost(WAIT).until(() -> a.publishToUser(">", pm(">", "probe")).join() == 1);
        assertThat(a.publishToUser("bob", pm("bob", "not for '>'")).join()).isZero();
        assertThat(inB.users).extracting(ServerMessage::content).doesNotContain("not for '>'");
    }
}
