package dev.relay.core.store;

import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-memory holder of one node against the contract ("another node" is the same holder here), and the bounds
 * only memory has: the total count and bytes across users, and the sweep of what expired.
 */
class MemoryOfflineMessagesTest extends OfflineMessagesContract {
    private final Map<Integer, MemoryOfflineMessages> byBound = new HashMap<>();

    @Override
    protected OfflineMessages holder(int maxPerUser, Duration ttl, Clock clock) {
        return byBound.computeIfAbsent(maxPerUser, max -> new MemoryOfflineMessages(max, ttl, clock));
    }

    private ServerMessage to(String user, String content) {
        return new ServerMessage("id-" + user + "-" + content, "private_message", "alice", user, null, content, null,
                clock.instant());
    }

    private static OfflineDelivery released(MemoryOfflineMessages holder, String user) {
        return holder.release(user).join();
    }

    @Test
    void theTotalCountKeepsExactlyItsBoundAndOneMoreDropsTheOldestOfAnyUser() {
        MemoryOfflineMessages holder = new MemoryOfflineMessages(10, 3, Long.MAX_VALUE, Duration.ofHours(1), clock);
        holder.hold(to("u1", "a"));
        holder.hold(to("u2", "b"));
        holder.hold(to("u3", "c"));
        assertThat(holder.stats().held()).isEqualTo(3);
        assertThat(holder.stats().dropped()).isZero();

        holder.hold(to("u4", "d"));

        assertThat(holder.stats().held()).isEqualTo(3);
        assertThat(holder.stats().dropped()).isEqualTo(1);
        assertThat(released(holder, "u1").isEmpty()).as("nothing left for u1, not even an entry").isTrue();
        assertThat(holder.users()).isEqualTo(3);
        assertThat(released(holder, "u2").messages()).extracting(ServerMessage::content).containsExactly("b");
        assertThat(released(holder, "u4").messages()).extracting(ServerMessage::content).containsExactly("d");
        assertThat(holder.stats().held()).isEqualTo(1);
    }

    @Test
    void theTotalBytesKeepExactlyTheirBoundAndOneByteMoreDropsTheOldest() {
        long size = MemoryOfflineMessages.sizeOf(to("u1", "x".repeat(100)));
        assertThat(size).isEqualTo(MemoryOfflineMessages.sizeOf(to("u9", "y".repeat(100))));
        MemoryOfflineMessages holder = new MemoryOfflineMessages(10, 1000, 3 * size, Duration.ofHours(1), clock);
        holder.hold(to("u1", "x".repeat(100)));
        holder.hold(to("u2", "x".repeat(100)));
        holder.hold(to("u3", "x".repeat(100)));
        assertThat(holder.stats()).isEqualTo(new OfflineStats(3, 3 * size, 0, 0));

        holder.hold(to("u4", "x".repeat(100)));

        assertThat(holder.stats()).isEqualTo(new OfflineStats(3, 3 * size, 1, 0));
        assertThat(released(holder, "u1").messages()).isEmpty();

        MemoryOfflineMessages oneByteShort = new MemoryOfflineMessages(10, 1000, 3 * size - 1, Duration.ofHours(1),
                clock);
        for (String user : new String[] {"u1", "u2", "u3"}) {
            oneByteShort.hold(to(user, "x".repeat(100)));
        }
        assertThat(oneByteShort.stats().held()).isEqualTo(2);
        assertThat(oneByteShort.stats().dropped()).isEqualTo(1);
    }

    @Test
    void aUserWithMessagesLeftIsToldHowManyOfTheirsTheTotalBoundDropped() {
        MemoryOfflineMessages holder = new MemoryOfflineMessages(10, 3, Long.MAX_VALUE, Duration.ofHours(1), clock);
        holder.hold(to("bob", "1"));
        holder.hold(to("bob", "2"));
        holder.hold(to("carol", "3"));
        holder.hold(to("dave", "4"));

        OfflineDelivery bob = released(holder, "bob");
        assertThat(bob.messages()).extracting(ServerMessage::content).containsExactly("2");
        assertThat(bob.dropped()).isEqualTo(1);
    }

    @Test
    void aMessageTheSenderMakesLargerCountsLarger() {
        assertThat(MemoryOfflineMessages.sizeOf(to("u1", "x".repeat(8000))))
                .isGreaterThan(MemoryOfflineMessages.sizeOf(to("u1", "x")) + 15_000);
    }

    @Test
    void theSweepLetsGoOfMessagesPastTheirAgeForUsersWhoNeverConnect() {
        MemoryOfflineMessages holder = new MemoryOfflineMessages(10, 1000, Long.MAX_VALUE, Duration.ofHours(1), clock);
        holder.hold(to("ghost-1", "a"));
        holder.hold(to("ghost-2", "b"));
        clock.advance(Duration.ofMinutes(30));
        holder.hold(to("ghost-3", "c"));

        clock.advance(Duration.ofMinutes(30)); // the first two are exactly an hour old: still held
        holder.sweep();
        assertThat(holder.stats().held()).isEqualTo(3);

        clock.advance(Duration.ofMillis(1));
        holder.sweep();
        assertThat(holder.stats()).isEqualTo(new OfflineStats(1, MemoryOfflineMessages.sizeOf(to("ghost-3", "c")), 0,
                2));
        assertThat(holder.users()).as("no entry left for the users whose messages expired").isEqualTo(1);
        assertThat(released(holder, "ghost-1").messages()).isEmpty();
        assertThat(released(holder, "ghost-3").messages()).extracting(ServerMessage::content).containsExactly("c");
    }

    @Test
    void messagesReleasedBehindALongHeldOneDoNotPileUpInTheOrder() {
        MemoryOfflineMessages holder = new MemoryOfflineMessages(10, 100, Long.MAX_VALUE, Duration.ofHours(1), clock);
        holder.hold(to("never-connects", "first")); // heads the order for the whole hour
        for (int i = 0; i < 10_000; i++) {
            holder.hold(to("u" + i, "m"));
            released(holder, "u" + i);
        }
        assertThat(holder.orderLength()).isLessThanOrEqualTo(2 * 100 + 1);
        assertThat(holder.stats().held()).isEqualTo(1);
    }
}
