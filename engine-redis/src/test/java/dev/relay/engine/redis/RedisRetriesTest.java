package dev.relay.engine.redis;

import dev.relay.core.cluster.Published;
import dev.relay.core.cluster.SharedRetries;
import dev.relay.core.cluster.SharedRetriesContract;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.testing.ExternalService;
import dev.relay.engine.redis.testing.RedisTestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retried ids in the real Redis against the contract, every instance a node with its own connection; and how Redis
 * keeps them: one readable line per key, the retry delay it asks for, the outcome's text.
 */
class RedisRetriesTest extends SharedRetriesContract {
    private final String prefix = RedisTestKeys.freshPrefix();
    private final List<RedisUserState> connections = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() {
        connections.forEach(RedisUserState::close);
        RedisTestKeys.delete(prefix);
    }

    @Override
    protected SharedRetries node(Duration window, Duration claimTimeout) {
        RedisUserState state = new RedisUserState(RedisTestKeys.url(), prefix, 100, Duration.ofSeconds(2)).start();
        connections.add(state);
        return new RedisRetries(state, window, claimTimeout);
    }

    @Test
    void a_key_is_one_readable_line_and_a_retry_under_way_is_asked_to_wait_the_engines_delay() {
        SharedRetries a = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        SharedRetries b = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        assertThat(a.claim("bob\nprivate_message\nnull\nalice\nm1").join()).isEmpty();
        assertThatThrownBy(() -> b.claim("bob\nprivate_message\nnull\nalice\nm1").join())
                .isInstanceOf(CompletionException.class)
                .satisfies(e -> assertThat(((ProtocolException) e.getCause()).retryAfterMillis())
                        .isEqualTo(RedisRetries.RETRY_AFTER_MS));
        long readable = RedisTestKeys.inspect(redis -> redis.exists(prefix + "retry:bob private_message null alice m1"));
        assertThat(readable).as("one readable line per key").isEqualTo(1L);
    }

    @Test
    void an_outcome_survives_the_round_trip_through_its_text() {
        Published room = new Published("srv-2", Instant.parse("2026-03-01T10:00:00.123456Z"), 42L, false);
        assertThat(RedisRetries.decode(RedisRetries.encode(room))).isEqualTo(room);
        assertThat(RedisRetries.decode(RedisRetries.encode(FIRST))).isEqualTo(FIRST);
    }
}
