package dev.relay.engine.redis;

import dev.relay.core.cluster.SharedActivity;
import dev.relay.core.cluster.SharedActivityContract;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.TcpProxy;
import dev.relay.engine.redis.testing.RedisTestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Activity shared through the real Redis against the contract, every instance a node with its own connection; and
 * what only Redis shows: each user's key expires with the longest time recorded, and an outage fails the question.
 */
class RedisSharedActivityTest extends SharedActivityContract {
    private final String prefix = RedisTestKeys.freshPrefix();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        RedisTestKeys.delete(prefix);
    }

    @Override
    protected SharedActivity node() {
        return node(RedisTestKeys.url());
    }

    private RedisSharedActivity node(String url) {
        RedisUserState state = new RedisUserState(url, prefix, 1000, Duration.ofSeconds(1)).start();
        closing.add(state);
        return new RedisSharedActivity(state);
    }

    private long millisLeft(String userId) {
        return RedisTestKeys.inspect(redis -> redis.pttl(prefix + "activity:{" + userId + "}"));
    }

    @Test
    void each_users_key_expires_with_the_longest_time_recorded() {
        SharedActivity a = node();
        SharedActivity b = node();
        a.record(Map.of("alice", Duration.ofMinutes(1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> millisLeft("alice") > 0);

        b.record(Map.of("alice", Duration.ofSeconds(20))); // older activity reaching Redis later
        b.record(Map.of("bob", Duration.ofSeconds(20)));
        await().atMost(Duration.ofSeconds(5)).until(() -> millisLeft("bob") > 0);
        assertThat(millisLeft("alice")).as("still about a minute").isGreaterThan(50_000);

        a.record(Map.of("bob", Duration.ofMinutes(2))); // newer activity extends
        await().atMost(Duration.ofSeconds(5)).until(() -> millisLeft("bob") > 100_000);
    }

    @Test
    void asking_fails_while_redis_cannot_be_reached_and_works_again_after() throws Exception {
        TcpProxy proxy = TcpProxy.to(ExternalService.REDIS);
        closing.add(proxy);
        SharedActivity cutOff = node("redis://127.0.0.1:" + proxy.port());
        SharedActivity other = node();
        other.record(Map.of("alice", Duration.ofMinutes(1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> millisLeft("alice") > 0);

        proxy.cut();
        assertThatThrownBy(() -> cutOff.active(List.of("alice")).join())
                .isInstanceOf(CompletionException.class)
                .satisfies(e -> assertThat(((ProtocolException) e.getCause()).code())
                        .isEqualTo(ErrorCode.BROKER_UNAVAILABLE));
        cutOff.record(Map.of("bob", Duration.ofMinutes(1))); // logged, not thrown

        proxy.restore();
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> cutOff.active(List.of("alice", "bob")).join().equals(Set.of("alice")));
    }
}
