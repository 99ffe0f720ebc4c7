package dev.relay.engine.redis;

import dev.relay.core.cluster.PresenceStore;
import dev.relay.core.testing.ExternalService;
import dev.relay.core.testing.MutableClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Cluster-wide presence against the real Redis: counts agree across nodes, and a dead node's users expire. */
class RedisPresenceTest {
    private static final Duration TTL = Duration.ofHours(1); // the schedule never fires here: the test beats
    private final String prefix = "relay-test-" + UUID.randomUUID() + ":";
    private final List<RedisPresence> stores = new ArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() {
        stores.forEach(RedisPresence::close);
        RedisClient client = RedisClient.create("redis://" + ExternalService.REDIS.host() + ":"
                + ExternalService.REDIS.port());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "*"));
            while (keys.hasNext()) {
                c.sync().del(keys.next());
            }
        } finally {
            client.shutdown();
        }
    }

    private RedisPresence node(String id, Local local) {
        RedisPresence store = new RedisPresence("redis://" + ExternalService.REDIS.host() + ":"
                + ExternalService.REDIS.port(), prefix, id, TTL, clock);
        stores.add(store);
        store.start(local);
        return store;
    }

    @Test
    void every_node_counts_distinct_users_and_all_connections_of_the_cluster() {
        Local onA = new Local(List.of("alice", "bob"), 3);
        Local onB = new Local(List.of("bob", "carol"), 2);
        RedisPresence a = node("a", onA);
        RedisPresence b = node("b", onB);
        a.beatOnce();
        assertThat(a.counts()).isEqualTo(new PresenceStore.ClusterCounts(3, 5, 2));
        assertThat(b.counts()).isEqualTo(new PresenceStore.ClusterCounts(3, 5, 2));

        onB.users.remove("carol");
        b.beatOnce();
        a.beatOnce();
        assertThat(a.counts().onlineUsers()).isEqualTo(2);
    }

    @Test
    void a_node_that_stops_beating_drops_out_after_the_ttl_and_one_that_closes_at_once() {
        RedisPresence a = node("a", new Local(List.of("alice"), 1));
        node("b", new Local(List.of("bob"), 1));
        RedisPresence c = node("c", new Local(List.of("carol"), 1));
        a.beatOnce();
        assertThat(a.counts().onlineUsers()).isEqualTo(3);

        c.close(); // a clean shutdown
        a.beatOnce();
        assertThat(a.counts().onlineUsers()).isEqualTo(2);

        // b stops beating (killed): once the TTL has passed on the live nodes' clock, it is gone.
        clock.advance(TTL.plusSeconds(1));
        a.beatOnce();
        assertThat(a.counts()).isEqualTo(new PresenceStore.ClusterCounts(1, 1, 1));
    }

    private static final class Local implements PresenceStore.LocalPresence {
        final Collection<String> users;
        final int connections;

        Local(List<String> users, int connections) {
            this.users = new CopyOnWriteArrayList<>(users);
            this.connections = connections;
        }

        @Override
        public Collection<String> onlineUserIds() {
            return users;
        }

        @Override
        public int connections() {
            return connections;
        }
    }
}
