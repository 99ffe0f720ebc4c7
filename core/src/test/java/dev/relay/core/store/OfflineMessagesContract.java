package dev.relay.core.store;

import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link OfflineMessages} does, whatever keeps the messages: each implementation's test extends this.
 * Users are named afresh per test, so a shared store (Redis) needs no cleaning between tests.
 */
public abstract class OfflineMessagesContract {
    protected static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    protected final MutableClock clock = new MutableClock(START);
    private final String user = "user-" + System.nanoTime();

    /** A holder keeping at most {@code maxPerUser} messages per user for {@code ttl}, by {@code clock}. */
    protected abstract OfflineMessages holder(int maxPerUser, Duration ttl, Clock clock);

    private ServerMessage message(String id) {
        return new ServerMessage(id, "private_message", "alice", user, null, "text " + id, null, clock.instant());
    }

    private static void held(CompletableFuture<Void> holding) throws Exception {
        if (holding != null) {
            holding.get(10, TimeUnit.SECONDS);
        }
    }

    private static OfflineDelivery released(OfflineMessages holder, String user) throws Exception {
        return holder.release(user).get(10, TimeUnit.SECONDS);
    }

    private static List<String> ids(OfflineDelivery delivery) {
        return delivery.messages().stream().map(ServerMessage::id).toList();
    }

    @Test
    void hands_over_what_was_held_oldest_first_and_only_once() throws Exception {
        OfflineMessages holder = holder(10, Duration.ofHours(1), clock);
        for (String id : List.of("m1", "m2", "m3")) {
            held(holder.hold(message(id)));
        }
        OfflineDelivery first = released(holder, user);
        assertThat(ids(first)).containsExactly("m1", "m2", "m3");
        assertThat(first.messages().getFirst().content()).isEqualTo("text m1");
        assertThat(first.dropped()).isZero();
        assertThat(released(holder, user).isEmpty()).isTrue();
        assertThat(released(holder, "someone-else-" + user).isEmpty()).isTrue();
    }

    @Test
    void keeps_the_newest_messages_up_to_the_bound_and_counts_the_dropped_ones() throws Exception {
        OfflineMessages holder = holder(3, Duration.ofHours(1), clock);
        for (int i = 1; i <= 3; i++) {
            held(holder.hold(message("m" + i)));
        }
        OfflineDelivery atTheBound = released(holder, user);
        assertThat(ids(atTheBound)).containsExactly("m1", "m2", "m3");
        assertThat(atTheBound.dropped()).isZero();

        for (int i = 1; i <= 5; i++) {
            held(holder.hold(message("n" + i)));
        }
        OfflineDelivery past = released(holder, user);
        assertThat(ids(past)).containsExactly("n3", "n4", "n5");
        assertThat(past.dropped()).isEqualTo(2);
    }

    @Test
    void a_message_older_than_the_ttl_is_not_handed_over() throws Exception {
        OfflineMessages holder = holder(10, Duration.ofHours(1), clock);
        held(holder.hold(message("old")));
        clock.advance(Duration.ofMinutes(50));
        held(holder.hold(message("recent")));
        clock.advance(Duration.ofMinutes(20)); // "old" is 70 minutes old, "recent" 20
        assertThat(ids(released(holder, user))).containsExactly("recent");
    }

    @Test
    void a_message_held_after_a_release_waits_for_the_next_one() throws Exception {
        OfflineMessages holder = holder(10, Duration.ofHours(1), clock);
        held(holder.hold(message("before")));
        assertThat(ids(released(holder, user))).containsExactly("before");
        held(holder.hold(message("after")));
        assertThat(ids(released(holder, user))).containsExactly("after");
    }

    @Test
    void releases_at_the_same_time_hand_each_message_to_one_of_them() throws Exception {
        OfflineMessages holder = holder(1000, Duration.ofHours(1), clock);
        OfflineMessages other = holder(1000, Duration.ofHours(1), clock); // another node, where there are nodes
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            held(holder.hold(message("m" + i)));
            expected.add("m" + i);
        }
        List<CompletableFuture<OfflineDelivery>> releases = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            releases.add((i % 2 == 0 ? holder : other).release(user));
        }
        List<String> handedOver = new ArrayList<>();
        for (CompletableFuture<OfflineDelivery> release : releases) {
            handedOver.addAll(ids(release.get(10, TimeUnit.SECONDS)));
        }
        assertThat(handedOver).containsExactlyElementsOf(expected);
    }

    @Test
    void holds_nothing_when_the_bound_is_zero() {
        assertThat(holder(0, Duration.ofHours(1), clock).enabled()).isFalse();
        assertThat(holder(1, Duration.ofHours(1), clock).enabled()).isTrue();
    }
}
