package dev.relay.core.cluster;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link SharedActivity} does for the idle sweep: several instances of one test stand for nodes sharing
 * one store. Activity recorded on one node is seen from another until its time is up, a shorter time recorded later
 * does not cut a longer one short, and a question about many users is answered exactly. Users are named afresh per
 * test, so a shared store needs no cleaning between tests.
 */
public abstract class SharedActivityContract {
    private final String run = "u" + System.nanoTime() + "-";

    /** One more node over this test's store. */
    protected abstract SharedActivity node();

    /** A user of this test's own. */
    protected String user(String name) {
        return run + name;
    }

    @Test
    void activity_recorded_on_one_node_is_seen_from_another_until_its_time_is_up() {
        SharedActivity a = node();
        SharedActivity b = node();
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        a.record(Map.of(alice, Duration.ofMillis(800), bob, Duration.ofMinutes(1)));

        await().atMost(Duration.ofSeconds(5)).until(() -> b.active(List.of(alice, bob, carol)).join()
                .equals(Set.of(alice, bob)));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.active(List.of(alice, bob, carol)).join()
                .equals(Set.of(bob)));
        assertThat(b.active(List.of()).join()).isEmpty();
    }

    @Test
    void a_shorter_time_recorded_later_does_not_cut_a_longer_one_short() {
        SharedActivity a = node();
        SharedActivity b = node();
        String alice = user("alice");
        String bob = user("bob");
        a.record(Map.of(alice, Duration.ofMinutes(1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.active(List.of(alice)).join().equals(Set.of(alice)));

        // Older activity reaching the store later; bob's, recorded with it, shows when that short time is up.
        b.record(Map.of(alice, Duration.ofMillis(300), bob, Duration.ofMillis(300)));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.active(List.of(bob)).join().equals(Set.of(bob)));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.active(List.of(bob)).join().isEmpty());
        assertThat(a.active(List.of(alice, bob)).join()).as("alice's minute still runs").containsExactly(alice);
    }

    @Test
    void many_users_are_recorded_and_asked_about_exactly() {
        SharedActivity a = node();
        SharedActivity b = node();
        List<String> everyone = IntStream.range(0, 2_537).mapToObj(i -> user("n" + i)).toList();
        Map<String, Duration> odd = new HashMap<>();
        for (int i = 1; i < everyone.size(); i += 2) {
            odd.put(everyone.get(i), Duration.ofMinutes(1));
        }
        a.record(odd);

        await().atMost(Duration.ofSeconds(10)).until(() -> b.active(everyone).join().size() == odd.size());
        assertThat(b.active(everyone).join()).isEqualTo(odd.keySet());
    }

    @Test
    void a_change_is_claimed_by_one_node_only_until_its_time_is_up() {
        SharedActivity a = node();
        SharedActivity b = node();
        String alice = user("alice");
        Duration within = Duration.ofMillis(500);
        assertThat(a.claim(alice, "away", within).join()).as("first to decide").isTrue();
        assertThat(b.claim(alice, "away", within).join()).as("the same change, decided at once elsewhere").isFalse();
        assertThat(b.claim(alice, "online", within).join()).as("another change").isTrue();
        assertThat(a.claim(user("bob"), "away", within).join()).as("another user").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> b.claim(alice, "away", within).join());
    }
}
