package dev.relay.core;

import dev.relay.core.cluster.PresenceStore;
import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.event.EventListener;
import dev.relay.core.event.EventStream;
import dev.relay.core.event.RelayEvent;
import dev.relay.core.event.StreamingObserver;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On a node of a cluster, occupancy and online/offline come from the shared stores' decisions, not from this node's
 * own first and last: a listener hears them only when the store says this node's change was the cluster's (or when
 * the engine reports a transition it made, such as taking a dead node's users out).
 */
class HubClusterEventsTest extends HubTestSupport {
    private final List<String> got = new CopyOnWriteArrayList<>();
    private final EventStream stream = new EventStream(List.of(new EventListener() {
        @Override
        public String name() {
            return "test";
        }

        @Override
        public void onEvent(RelayEvent event) {
            got.add(line(event));
        }
    }), 1000);
    private final HandPresenceStore store = new HandPresenceStore();
    private final HandRoomPresence rooms = new HandRoomPresence();

    /** Each share waits for the test to say whether it was the cluster's transition. */
    private static final class HandPresenceStore implements PresenceStore {
        final Map<String, CompletableFuture<Boolean>> shares = new ConcurrentHashMap<>();
        volatile LocalPresence local;

        @Override
        public void start(LocalPresence local) {
            this.local = local;
        }

        @Override
        public ClusterCounts counts() {
            return new ClusterCounts(0, 0, 1);
        }

        @Override
        public CompletableFuture<Boolean> share(String userId, boolean online) {
            CompletableFuture<Boolean> answer = new CompletableFuture<>();
            shares.put(userId + (online ? " online" : " offline"), answer);
            return answer;
        }

        @Override
        public void close() {
        }
    }

    /** Keeps what the hub gives it at start; answers nothing. */
    private static final class HandRoomPresence implements RoomPresence {
        volatile LocalRooms local;

        @Override
        public void start(LocalRooms local) {
            this.local = local;
        }

        @Override
        public void share(Share share) {
        }

        @Override
        public void status(String roomId, String userId, String status, ServerMessage event) {
        }

        @Override
        public CompletableFuture<List<Member>> members(String roomId) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletableFuture<Map<String, Counts>> counts(Collection<String> roomIds) {
            return CompletableFuture.completedFuture(Map.of());
        }

        @Override
        public void forget(String roomId) {
        }

        @Override
        public void close() {
        }
    }

    @Override
    void building(Hub.Builder builder) {
        builder.broker(new HubClusterTest.HandBroker(), Duration.ofSeconds(1)).presenceStore(store)
                .roomPresence(rooms);
    }

    @Override
    HubObserver observer() {
        return new StreamingObserver(stream, Clock.systemUTC());
    }

    @AfterEach
    void closeStream() {
        stream.close();
    }

    private static String line(RelayEvent event) {
        var fields = new java.util.LinkedHashMap<>(event.fields());
        fields.remove("timestamp");
        return String.join(" ", fields.values().stream().map(String::valueOf).toList());
    }

    @Test
    void onlineAndOfflineAreHeardOnlyWhenTheStoreSaysTheChangeWasTheClusters() {
        Client alice = connect(loop1, "alice", "general");
        connect(loop2, "bob", "general");
        syncAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.shares.size() == 2);
        assertThat(got).as("nothing before the store answers; no room_occupied from this node's count").isEmpty();

        store.shares.get("alice online").complete(true);
        store.shares.get("bob online").complete(false); // bob was online on another node already
        alice.disconnect();
        syncAll();
        store.shares.get("alice offline").complete(true);
        store.local.transition("carol", false); // a dead node's user, taken out by this node

        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 3);
        assertThat(got).containsExactly("user_online alice", "user_offline alice", "user_offline carol");
    }

    @Test
    void occupancyIsHeardWhenTheRoomPresenceReportsTheClustersTransition() {
        connect(loop1, "alice", "general").disconnect();
        syncAll();
        rooms.local.occupancy("general", true);
        rooms.local.occupancy("general", false);

        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 2);
        assertThat(got).containsExactly("room_occupied general", "room_vacated general");
    }
}
