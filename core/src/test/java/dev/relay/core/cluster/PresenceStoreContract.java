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

    @Test
    void a_users_first_node_and_last_node_are_each_the_clusters_transition_once() {
        PresenceStore a = node("a", new LocalNode(List.of(), 0));
        PresenceStore b = node("b", new LocalNode(List.of(), 0));

        assertThat(a.share("alice", true).join()).as("alice's first node").isTrue();
        assertThat(b.share("alice", true).join()).as("already online on a").isFalse();
        assertThat(a.share("alice", false).join()).as("still online on b").isFalse();
        assertThat(b.share("alice", false).join()).as("her last node").isTrue();
        assertThat(b.share("alice", false).join()).as("a repeated change is none").isFalse();
        assertThat(a.share("alice", true).join()).as("back again").isTrue();
    }

    @Test
    void a_dead_nodes_users_online_nowhere_else_go_offline_once_told_to_the_survivor_that_took_them_out() {
        LocalNode onA = new LocalNode(List.of(), 0);
        LocalNode onC = new LocalNode(List.of(), 0);
        PresenceStore a = node("a", onA);
        PresenceStore b = node("b", new LocalNode(List.of(), 0));
        PresenceStore c = node("c", onC);
        assertThat(b.share("bob", true).join()).isTrue();
        assertThat(b.share("dave", true).join()).isTrue();
        assertThat(a.share("dave", true).join()).isFalse();

        // b stops beating (killed); once the TTL has passed both survivors notice, one after the other.
        clock.advance(TTL.plusSeconds(1));
        beat(a);
        beat(c);
        List<String> told = new ArrayList<>(onA.transitions);
        told.addAll(onC.transitions);
        assertThat(told).as("bob once; dave is still online on a").containsExactly("bob offline");
        assertThat(c.share("bob", true).join()).as("bob is online nowhere now").isTrue();
    }

    @Test
    void a_node_started_again_under_its_id_takes_out_what_its_earlier_run_left() {
        PresenceStore first = newStore("a");
        first.start(new LocalNode(List.of(), 0));
        assertThat(first.share("erin", true).join()).isTrue();
        // Killed without closing (its connection dropped), then started again under the same id.
        LocalNode again = new LocalNode(List.of(), 0);
        PresenceStore second = node("a", again);
        assertThat(again.transitions).containsExactly("erin offline");
        assertThat(second.share("erin", true).join()).isTrue();
        stores.add(first);
    }

    /** What a node contributes; its users can change between beats. */
    protected static final class LocalNode implements PresenceStore.LocalPresence {
        final Collection<String> users;
        final int connections;
        /** What the store told this node on its own: "user online" or "user offline". */
        public final List<String> transitions = new CopyOnWriteArrayList<>();

        @Override
        public void transition(String userId, boolean online) {
            transitions.add(userId + (online ? " online" : " offline"));
        }

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
