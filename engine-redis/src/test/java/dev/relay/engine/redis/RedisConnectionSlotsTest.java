package dev.relay.engine.redis;

import dev.relay.core.testing.ExternalService;
import dev.relay.engine.redis.testing.RedisTestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A user's connections across nodes in the real Redis; each instance stands for a node with its own connection. */
class RedisConnectionSlotsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final String prefix = RedisTestKeys.freshPrefix();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
        RedisTestKeys.delete(prefix);
    }

    private record Node(RedisUserState redis, RedisConnectionSlots slots) {
    }

    private Node node(String id, int max, Duration ttl) {
        RedisUserState redis = new RedisUserState(RedisTestKeys.url(), prefix, 100, Duration.ofSeconds(2)).start();
        closeables.add(redis);
        RedisConnectionSlots slots = new RedisConnectionSlots(redis, max, id, ttl, Clock.systemUTC()).start();
        closeables.add(slots);
        return new Node(redis, slots);
    }

    @Test
    void the_limit_holds_across_nodes_on_both_sides_of_it_and_a_released_slot_is_free_on_any_node() {
        RedisConnectionSlots a = node("a", 3, Duration.ofSeconds(30)).slots();
        RedisConnectionSlots b = node("b", 3, Duration.ofSeconds(30)).slots();
        assertThat(a.tryAcquire("bob", "c1").join()).isTrue();
        assertThat(b.tryAcquire("bob", "c2").join()).isTrue();
        assertThat(a.tryAcquire("bob", "c3").join()).as("the third, the limit").isTrue();
        assertThat(b.tryAcquire("bob", "c4").join()).as("a fourth, over it").isFalse();
        assertThat(a.tryAcquire("bob", "c5").join()).isFalse();
        assertThat(b.tryAcquire("carol", "c6").join()).as("another user").isTrue();

        a.release("bob", "c1");
        await().atMost(WAIT).until(() -> b.tryAcquire("bob", "c7").join());
        assertThat(a.tryAcquire("bob", "c8").join()).isFalse();
    }

    @Test
    void of_many_connections_at_once_on_two_nodes_exactly_the_limit_get_in() {
        RedisConnectionSlots a = node("a", 5, Duration.ofSeconds(30)).slots();
        RedisConnectionSlots b = node("b", 5, Duration.ofSeconds(30)).slots();
        List<CompletableFuture<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            attempts.add((i % 2 == 0 ? a : b).tryAcquire("dave", "c" + i));
        }
        assertThat(attempts.stream().filter(CompletableFuture::join).count()).isEqualTo(5);
    }

    @Test
    void a_node_that_stops_stamping_stops_counting_within_its_ttl() {
        Node crashed = node("a", 2, Duration.ofSeconds(2));
        RedisConnectionSlots b = node("b", 2, Duration.ofSeconds(2)).slots();
        assertThat(crashed.slots().tryAcquire("erin", "c1").join()).isTrue();
        assertThat(crashed.slots().tryAcquire("erin", "c2").join()).isTrue();
        assertThat(b.tryAcquire("erin", "c3").join()).isFalse();
        crashed.redis().close(); // it can neither stamp nor give its slots back: as good as dead to the others
        await().atMost(WAIT).until(() -> b.tryAcquire("erin", "c4").join());
        List<String> fields = RedisTestKeys.inspect(redis -> redis.hkeys(prefix + "conns:{erin}"));
        assertThat(fields)
                .as("the dead node's fields are gone").singleElement().asString().endsWith("\nc4");
    }

    @Test
    void a_node_shut_down_with_slots_it_could_not_give_back_stops_counting_at_once() {
        Node leaving = node("a", 1, Duration.ofSeconds(30));
        RedisConnectionSlots b = node("b", 1, Duration.ofSeconds(1)).slots();
        assertThat(leaving.slots().tryAcquire("frank", "c1").join()).isTrue();
        assertThat(b.tryAcquire("frank", "c2").join()).isFalse();
        leaving.slots().close(); // its connection c1 was never released
        await().atMost(WAIT).until(() -> b.tryAcquire("frank", "c3").join());
    }

    @Test
    void a_slot_that_could_not_be_given_back_is_given_back_when_redis_answers_again() {
        // One command in flight at most: while a slow command holds it, the release is refused as if Redis were away.
        RedisUserState flaky = new RedisUserState(RedisTestKeys.url(), prefix, 1, Duration.ofSeconds(3)).start();
        closeables.add(flaky);
        RedisConnectionSlots a = new RedisConnectionSlots(flaky, 1, "a", Duration.ofSeconds(3),
                Clock.systemUTC()).start();
        closeables.add(a);
        RedisConnectionSlots b = node("b", 1, Duration.ofSeconds(30)).slots();
        // The node's own stamp may hold the one slot for a moment: try until the command gets through.
        await().atMost(WAIT).until(() -> a.tryAcquire("gina", "c1").handle((taken, failure) ->
                failure == null && taken).join());
        CompletableFuture<Object> occupied;
        do {
            occupied = flaky.call(c -> c.blpop(1, RedisUserState.bytes(prefix + "nothing")).thenApply(popped -> null));
        } while (occupied.isCompletedExceptionally());
        a.release("gina", "c1");
        assertThat(a.owed()).isEqualTo(1);
        assertThat(b.tryAcquire("gina", "c2").join()).as("still counted").isFalse();

        occupied.join();
        await().atMost(WAIT).until(() -> a.owed() == 0);
        await().atMost(WAIT).until(() -> b.tryAcquire("gina", "c3").join());
    }
}
