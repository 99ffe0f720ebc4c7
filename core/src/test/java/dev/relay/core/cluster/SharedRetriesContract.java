package dev.relay.core.cluster;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
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

/**
 * What every {@link SharedRetries} does for the hub: several instances of one test stand for nodes sharing one store.
 * The first claim of a key places the message; a retry elsewhere waits while it is under way, then gets its outcome;
 * an abandoned claim lets the retry through; claims and outcomes expire; of concurrent attempts exactly one is first.
 * Keys are named afresh per test, so a shared store needs no cleaning between tests.
 */
public abstract class SharedRetriesContract {
    protected static final Published FIRST =
            new Published("srv-1", Instant.parse("2026-03-01T10:00:00Z"), null, true);
    private final String run = "run-" + System.nanoTime() + "-";

    /**
     * One more node over this test's store, remembering outcomes for {@code window} and taking a claim never settled
     * as abandoned after {@code claimTimeout}.
     */
    protected abstract SharedRetries node(Duration window, Duration claimTimeout);

    /** A retry key of this test's own. */
    protected String key(String name) {
        return run + name;
    }

    @Test
    void a_retry_through_another_node_gets_the_first_outcome_once_it_is_settled() {
        SharedRetries a = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        SharedRetries b = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        String key = key("bob\nprivate_message\nnull\nalice\nm1");
        assertThat(a.claim(key).join()).isEmpty();

        assertThatThrownBy(() -> b.claim(key).join())
                .isInstanceOf(CompletionException.class)
                .satisfies(e -> {
                    ProtocolException underWay = (ProtocolException) e.getCause();
                    assertThat(underWay.code()).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE);
                    assertThat(underWay.retryAfterMillis()).as("tells the client when to retry").isPositive();
                });

        a.settle(key, FIRST);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.claim(key).handle((found, failure) -> found).join()
                != null);
        assertThat(b.claim(key).join()).contains(FIRST);
        assertThat(b.claim(key("bob\nprivate_message\nnull\nalice\nm2")).join()).as("another id is new").isEmpty();
    }

    @Test
    void an_abandoned_claim_lets_the_retry_through() {
        SharedRetries a = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        SharedRetries b = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        assertThat(a.claim(key("k")).join()).isEmpty();
        a.abandon(key("k"));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.claim(key("k")).handle((found, failure) ->
                failure == null && found.isEmpty()).join());
    }

    @Test
    void a_claim_left_under_way_by_a_dead_node_expires_and_an_outcome_expires_with_the_window() {
        // Long enough that a busy machine does not let them expire between two calls, short enough to wait for.
        SharedRetries a = node(Duration.ofMillis(1500), Duration.ofMillis(1500));
        SharedRetries b = node(Duration.ofMillis(1500), Duration.ofMillis(1500));
        assertThat(a.claim(key("orphan")).join()).isEmpty(); // never settled: the node "died"
        assertThatThrownBy(() -> b.claim(key("orphan")).join()).isInstanceOf(CompletionException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.claim(key("orphan")).handle((found, failure) ->
                failure == null && found.isEmpty()).join());

        assertThat(a.claim(key("settled")).join()).isEmpty();
        a.settle(key("settled"), FIRST);
        await().atMost(Duration.ofSeconds(5)).until(() -> Optional.of(FIRST).equals(
                b.claim(key("settled")).handle((found, failure) -> found).join()));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.claim(key("settled")).handle((found, failure) ->
                failure == null && found.isEmpty()).join());
    }

    @Test
    void of_many_attempts_at_once_on_two_nodes_exactly_one_is_first() {
        SharedRetries a = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        SharedRetries b = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        List<CompletableFuture<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            attempts.add((i % 2 == 0 ? a : b).claim(key("race")).handle((found, failure) ->
                    failure == null && found.isEmpty()));
        }
        assertThat(attempts.stream().filter(CompletableFuture::join).count()).isEqualTo(1);
    }

    @Test
    void an_outcome_with_a_seq_comes_back_field_for_field() {
        SharedRetries a = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        SharedRetries b = node(Duration.ofMinutes(1), Duration.ofSeconds(10));
        Published room = new Published("srv-2", Instant.parse("2026-03-01T10:00:00.123456Z"), 42L, false);
        assertThat(a.claim(key("room")).join()).isEmpty();
        a.settle(key("room"), room);
        await().atMost(Duration.ofSeconds(5)).until(() -> Optional.of(room).equals(
                b.claim(key("room")).handle((found, failure) -> found).join()));
    }
}
