package dev.relay.engine.redis;

import dev.relay.engine.redis.testing.RedisTestKeys;
import dev.relay.core.Published;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.testing.ExternalService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Retried ids in the real Redis, two instances standing for two nodes. */
class RedisRetriesTest {
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

    private RedisRetries node(Duration window, Duration claimTimeout) {
        RedisUserState state = new RedisUserState(RedisTestKeys.url(), prefix, 100, Duration.ofSeconds(2)).start();
        connections.add(state);
        return new RedisRetries(state, window, claimTimeout);
    }

    private static final Published FIRST = new Published("srv-1", Instant.parse("2026-03-01T10:00:00Z"), null, true);

    @Test
    void a_retry_through_another_node_gets_the_first_outcome_once_it_is_settled() {
        RedisRetries a = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        RedisRetries b = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        assertThat(a.claim("bob\nprivate_message\nnull\nalice\nm1").join()).isEmpty();

        assertThatThrownBy(() -> b.claim("bob\nprivate_message\nnull\nalice\nm1").join())
                .isInstanceOf(CompletionException.class)
                .satisfies(e -> {
                    ProtocolException underWay = (ProtocolException) e.getCause();
                    assertThat(underWay.code()).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE);
                    assertThat(underWay.retryAfterMillis()).isEqualTo(RedisRetries.RETRY_AFTER_MS);
                });

        a.settle("bob\nprivate_message\nnull\nalice\nm1", FIRST);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.claim("bob\nprivate_message\nnull\nalice\nm1")
                .handle((found, failure) -> found).join() != null);
        assertThat(b.claim("bob\nprivate_message\nnull\nalice\nm1").join()).contains(FIRST);
        assertThat(b.claim("bob\nprivate_message\nnull\nalice\nm2").join()).as("another id is new").isEmpty();
        long readable = RedisTestKeys.inspect(redis -> redis.exists(prefix + "retry:bob private_message null alice m1"));
        assertThat(readable).as("one readable line per key").isEqualTo(1L);
    }

    @Test
    void an_abandoned_claim_lets_the_retry_through() {
        RedisRetries a = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        RedisRetries b = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        assertThat(a.claim("k").join()).isEmpty();
        a.abandon("k");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.claim("k").handle((found, failure) ->
                failure == null && found.isEmpty()).join());
    }

    @Test
    void a_claim_left_under_way_by_a_dead_node_expires_and_an_outcome_expires_with_the_window() {
        // Long enough that a busy machine does not let them expire between two calls, short enough to wait for.
        RedisRetries a = node(Duration.ofMillis(1500), Duration.ofMillis(1500));
        RedisRetries b = node(Duration.ofMillis(1500), Duration.ofMillis(1500));
        assertThat(a.claim("orphan").join()).isEmpty(); // never settled: the node "died"
        assertThatThrownBy(() -> b.claim("orphan").join()).isInstanceOf(CompletionException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.claim("orphan").handle((found, failure) ->
                failure == null && found.isEmpty()).join());

        assertThat(a.claim("settled").join()).isEmpty();
        a.settle("settled", FIRST);
        await().atMost(Duration.ofSeconds(5)).until(() -> Optional.of(FIRST).equals(
                b.claim("settled").handle((found, failure) -> found).join()));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.claim("settled").handle((found, failure) ->
                failure == null && found.isEmpty()).join());
    }

    @Test
    void of_many_attempts_at_once_on_two_nodes_exactly_one_is_first() {
        RedisRetries a = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        RedisRetries b = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        List<CompletableFuture<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            attempts.add((i % 2 == 0 ? a : b).claim("race").handle((found, failure) ->
                    failure == null && found.isEmpty()));
        }
        assertThat(attempts.stream().filter(CompletableFuture::join).count()).isEqualTo(1);
    }

    @Test
    void an_outcome_survives_the_round_trip_through_its_text() {
        Published room = new Published("srv-2", Instant.parse("2026-03-01T10:00:00.123456Z"), 42L, false);
        assertThat(RedisRetries.decode(RedisRetries.encode(room))).isEqualTo(room);
        assertThat(RedisRetries.decode(RedisRetries.encode(FIRST))).isEqualTo(FIRST);
    }
}
