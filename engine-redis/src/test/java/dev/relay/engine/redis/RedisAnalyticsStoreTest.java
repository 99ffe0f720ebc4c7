package dev.relay.engine.redis;

import dev.relay.core.analytics.ActiveUser;
import dev.relay.core.analytics.AnalyticsStore;
import dev.relay.core.analytics.AnalyticsStoreContract;
import dev.relay.core.analytics.MessageCell;
import dev.relay.core.analytics.Period;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.MutableClock;
import dev.relay.core.testing.TcpProxy;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.engine.redis.testing.RedisTestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The analytics contract on the real Redis, every store a node with its own connection to one key prefix; and what
 * only Redis shows: keys expire with the keep, the last day is all that is read, ids of any characters come back
 * whole, and a day's distinct users by HyperLogLog stay within the documented error.
 */
class RedisAnalyticsStoreTest extends AnalyticsStoreContract {
    private final String prefix = RedisTestKeys.freshPrefix();
    private final MutableClock clock = new MutableClock(T0);
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
    protected AnalyticsStore store() {
        return store(Duration.ofDays(60)); // the contract reaches weeks back
    }

    private AnalyticsStore store(Duration keep) {
        RedisUserState state = new RedisUserState(RedisTestKeys.url(), prefix, 1000, Duration.ofSeconds(5)).start();
        connections.add(state);
        return new RedisAnalyticsStore(state, clock, keep);
    }

    @Test
    void nodesOnTheirOwnConnectionsReadTheSameSums() {
        AnalyticsStore a = store();
        AnalyticsStore b = store();
        a.write(batch("a", List.of(room(M0, "general", "alice", 2)), List.of(), List.of()));
        b.write(batch("b", List.of(room(M0, "general", "alice", 3), room(M0, "general", "bob", 1)), List.of(),
                List.of()));

        for (AnalyticsStore node : List.of(a, b)) {
            assertThat(node.topRooms(M0, M0 + 1, 10)).containsExactly(new AnalyticsStore.RoomRank("general", 6, 2));
        }

        b.write(batch("b", List.of(room(M0, "general", "carol", 1)), List.of(), List.of()));
        assertThat(b.activeUsers(M0, M0 + 1, null)).as("a node's own write at once").isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> // another's once a's last read is a second old
                assertThat(a.topRooms(M0, M0 + 1, 10)).containsExactly(new AnalyticsStore.RoomRank("general", 7, 3)));
    }

    @Test
    void failsWhileRedisCannotBeReachedAndWorksAgainAfter() throws Exception {
        TcpProxy proxy = TcpProxy.to(ExternalService.REDIS);
        RedisUserState state = new RedisUserState("redis://127.0.0.1:" + proxy.port(), prefix, 1000,
                Duration.ofSeconds(1)).start();
        connections.add(state);
        AnalyticsStore store = new RedisAnalyticsStore(state, clock, Duration.ofDays(60));
        try (proxy) {
            proxy.cut();
            assertThatThrownBy(() -> store.write(batch("a", List.of(room(M0, "r", "u", 1)), List.of(), List.of())))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE));
            assertThatThrownBy(() -> store.activeUsers(M0, M0 + 1, null)).isInstanceOf(ProtocolException.class);

            proxy.restore();
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
                store.write(batch("a", List.of(room(M0, "r", "u", 1)), List.of(), List.of())); // the retried batch
                assertThat(store.activeUsers(M0, M0 + 1, null)).isEqualTo(1);
            });
        }
    }

    @Test
    void keepsTheLastDayOnly() {
        AnalyticsStore store = store(Duration.ofDays(1));
        store.write(batch("a", List.of(room(M0 - 24 * 60, "r", "too-old", 1), room(M0 - 24 * 60 + 1, "r", "kept", 1)),
                List.of(), List.of()));
        assertThat(store.activeUsers(M0 - 2 * 24 * 60, M0 + 1, null)).isEqualTo(1);

        clock.advance(Duration.ofMinutes(2)); // the next write forgets what the day has passed
        store.write(batch("a", List.of(room(M0 + 2, "r", "now", 1)), List.of(), List.of()));
        assertThat(store.topUsers(M0 - 2 * 24 * 60, M0 + 3, null, 10)).extracting(AnalyticsStore.UserRank::userId)
                .containsExactly("now");
    }

    @Test
    void everyKeyIsUnderThePrefixAndExpiresWithTheKeep() {
        AnalyticsStore store = store(Duration.ofDays(1));
        store.write(batch("a", List.of(room(M0, "r", "u", 1)), List.of(), List.of(new ActiveUser(D0, "u"))));

        List<String> keys = RedisTestKeys.inspect(redis -> redis.keys(prefix + "*"));
        assertThat(keys).hasSize(4).allSatisfy(key -> {
            assertThat(key).startsWith(prefix + "analytics:{analytics}:");
            long ttl = RedisTestKeys.inspect(redis -> redis.ttl(key));
            assertThat(ttl).as(key).isBetween(1L, Duration.ofDays(1).toSeconds());
        });
    }

    @Test
    void aDaysMinutesAreReadInChunksAndEachKeepsItsOwnCells() {
        AnalyticsStore store = store();
        long start = M0 - 1_000;
        List<MessageCell> cells = new ArrayList<>();
        for (long minute = start; minute < M0; minute++) { // 1,000 minutes: five chunks of reads
            cells.add(room(minute, "r", "user-" + (minute - start), minute - start + 1));
        }
        store.write(batch("a", cells, List.of(), List.of()));

        assertThat(store.activeUsers(start, M0, null)).isEqualTo(1_000);
        assertThat(store.messages(start, M0, 60, "r").stream().mapToLong(AnalyticsStore.KindCount::count).sum())
                .isEqualTo(1_000L * 1_001 / 2);
        assertThat(store.topUsers(start, M0, null, 2)).containsExactly(new AnalyticsStore.UserRank("user-999", 1_000),
                new AnalyticsStore.UserRank("user-998", 999));
        assertThat(store.deleteBefore(M0 - 10, D0 - 1)).isEqualTo(990);
        assertThat(store.activeUsers(start, M0, null)).isEqualTo(10);
    }

    @Test
    void idsOfAnyCharactersComeBackWhole() {
        AnalyticsStore store = store();
        store.write(batch("node:1", List.of(room(M0, "12:a:b", "3:x:", 2),
                new MessageCell(M0, MessageCell.PRIVATE, "", ":", 1)), List.of(), List.of()));

        assertThat(store.topRooms(M0, M0 + 1, 10)).containsExactly(new AnalyticsStore.RoomRank("12:a:b", 2, 1));
        assertThat(store.topUsers(M0, M0 + 1, null, 10)).containsExactly(new AnalyticsStore.UserRank("3:x:", 2),
                new AnalyticsStore.UserRank(":", 1));
    }

    @Test
    void manyDistinctUsersAcrossNodesStayWithinTheDocumentedError() {
        AnalyticsStore a = store();
        AnalyticsStore b = store();
        List<ActiveUser> onA = new ArrayList<>();
        List<ActiveUser> onB = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            onA.add(new ActiveUser(D0, "user-" + i));
        }
        for (int i = 10_000; i < 25_000; i++) { // half of a's again, and 5,000 more
            onB.add(new ActiveUser(D0, "user-" + i));
        }
        a.write(batch("a", List.of(), List.of(), onA));
        b.write(batch("b", List.of(), List.of(), onB));

        long counted = a.activeUsersPer(Period.DAY, D0, D0).getFirst().activeUsers();
        // 0.81% is one standard error; three of them (2.43%) leave a failure to chance about once in 400 runs.
        assertThat((double) counted).isCloseTo(25_000, within(25_000 * 0.0243));
        assertThat(counted).as("not the 35,000 written").isLessThan(30_000);
    }
}
