package dev.relay.core.cluster;

import dev.relay.core.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link PresenceStore} does for {@code /ws/stats} and {@code /ws/users/online}: several instances of one
 * test stand for nodes sharing one store. Every node counts the distinct users and all connections of the live
 * nodes as of its last heartbeat; a node that closes drops out at once, one that stops beating once its heartbeat is
 * older than the TTL on the live nodes' clock. The test beats by hand ({@link #beat}); the schedule's own period (a
 * fraction of {@link #TTL}) never comes round while it runs.
 */
public abstract class PresenceStoreContract {
    protected static final Duration TTL = Duration.ofHours(1);
    protected final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<PresenceStore> stores = new ArrayList<>();

    /** A store for node {@code nodeId} over this test's shared store, reading {@link #clock}, expiring after TTL. */
    protected abstract PresenceStore newStore(String nodeId);

    /** One heartbeat of {@code store} now: its share written, the cluster's counts read back. */
    protected abstract void beat(PresenceStore store);

    protected PresenceStore node(String nodeId, LocalNode local) {
        PresenceStore store = newStore(nodeId);
        stores.add(store);
        store.start(local);
        return store;
    }

    @AfterEach
    void closeStores() {
        stores.forEach(PresenceStore::close);
    }

    @Test
    void every_node_counts_distinct_users_and_all_connections_of_the_cluster() {
        LocalNode onA = new LocalNode(List.of("alice", "bob"), 3);
        LocalNode onB = new LocalNode(List.of("bob", "carol"), 2);
        PresenceStore a = node("a", onA);
        PresenceStore b = node("b", onB);
        beat(a);
        assertThat(a.counts()).isEqualTo(new PresenceStore.ClusterCounts(3, 5, 2));
        assertThat(b.counts()).as("from b's first beat, at its start").isEqualTo(
                new PresenceStore.ClusterCounts(3, 5, 2));

        onB.users.remove("carol");
        beat(b);
        beat(a);
        assertThat(a.counts().onlineUsers()).isEqualTo(2);
    }

    @Test
    void a_node_that_stops_beating_drops_out_after_the_ttl_and_one_that_closes_at_once() {
        PresenceStore a = node("a", new LocalNode(List.of("alice"), 1));
        node("b", new LocalNode(List.of("bob"), 1));
        PresenceStore c = node("c", new LocalNode(List.of("carol"), 1));
        beat(a);
        assertThat(a.counts().onlineUsers()).isEqualTo(3);

        c.close(); // a clean shutdown
        beat(a);
        assertThat(a.counts().onlineUsers()).isEqualTo(2);

        // b stops beating (killed): once the TTL has passed on the live nodes' clock, it is gone.
        clock.advance(TTL.plusSeconds(1));
        beat(a);
        assertThat(a.counts()).isEqualTo(new PresenceStore.ClusterCounts(1, 1, 1));
    }

    /** What a node contributes; its users can change between beats. */
    protected static final class LocalNode implements PresenceStore.LocalPresence {
        final Collection<String> users;
        final int connections;

        public LocalNode(List<String> users, int connections) {
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
