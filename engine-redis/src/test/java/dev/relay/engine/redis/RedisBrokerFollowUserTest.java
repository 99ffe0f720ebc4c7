package dev.relay.engine.redis;

import dev.relay.engine.redis.testing.RedisTestKeys;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.RecordingInbound;
import dev.relay.core.testing.TextCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Following a user completes only once Redis has the subscription: what a node holds for a user who is connecting
 * relies on it (a message published after it is sure to arrive).
 */
class RedisBrokerFollowUserTest {
    private final String prefix = RedisTestKeys.freshPrefix();
    private final List<RedisBroker> brokers = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() {
        brokers.forEach(RedisBroker::close);
        RedisTestKeys.delete(prefix);
    }

    private RedisBroker node(String id, RecordingInbound inbound) {
        RedisBroker broker = new RedisBroker(new RedisOptions(RedisTestKeys.url(), prefix, id, 100,
                Duration.ofMinutes(1), 100, Duration.ofSeconds(2)), new TextCodec());
        brokers.add(broker);
        broker.start(inbound);
        return broker;
    }

    @Test
    void once_following_a_user_has_completed_a_private_message_from_another_node_reaches_it() {
        RecordingInbound inB = new RecordingInbound();
        RedisBroker a = node("a", new RecordingInbound());
        RedisBroker b = node("b", inB);
        for (int i = 0; i < 20; i++) {
            String user = "follower" + i;
            b.followUser(user).join();
            ServerMessage message = new ServerMessage("m" + i, "private_message", "alice", user, null, "right away",
                    null, Instant.now());
            assertThat(a.publishToUser(user, message).join()).as(user).isEqualTo(1L);
        }
        assertThat(b.followUser("follower0")).as("already followed").isCompleted();
        await().atMost(Duration.ofSeconds(10)).until(() -> inB.users.size() == 20);
    }
}
