package dev.relay.server.cluster;

import dev.relay.core.testing.ExternalService;
import dev.relay.server.testing.RecordingListener;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes on the real Redis, each with its own listener: every event is seen once in the cluster, on the node
 * where it happened, never again on the node that applies its copy; a user's online/offline and a room's
 * occupied/vacated once, on the node whose change was the cluster's transition.
 */
class ClusterEventsIT {
    private final String prefix = RedisKeys.freshPrefix();
    private final List<TestServer> nodes = new ArrayList<>();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void stop() {
        nodes.forEach(TestServer::close);
        RedisKeys.delete(prefix);
    }

    /** The engine's keys; {@link NatsClusterEventsIT} runs every test with NATS carrying the events. */
    Map<String, String> engine() {
        return Map.of("engine", "redis");
    }

    void engineServices() {
    }

    private TestServer node(String id, RecordingListener listener) {
        return node(id, listener, Map.of());
    }

    private TestServer node(String id, RecordingListener listener, Map<String, String> more) {
        engineServices();
        Map<String, String> config = new java.util.HashMap<>(engine());
        config.putAll(more);
        config.putAll(Map.of(
                "redis_url", RedisKeys.url(ExternalService.REDIS.port()),
                "redis_key_prefix", prefix,
                "node_id", id,
                "enable_rate_limit", "false"));
        TestServer node = TestServer.start(config, List.of(listener));
        nodes.add(node);
        return node;
    }

    @Test
    void each_event_is_reported_once_by_the_node_where_it_happened() {
        RecordingListener atA = new RecordingListener("a");
        RecordingListener atB = new RecordingListener("b");
        TestServer a = node("a", atA);
        TestServer b = node("b", atB);
        assertThat(a.http().post("/ws/rooms", a.adminToken("ops"), "{\"id\":\"lobby\"}").status()).isEqualTo(201);
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general")) {
            alice.send(Map.of("type", "join_room", "room_id", "lobby", "id", "j"));
            alice.awaitType("joined");
            bob.send(Map.of("type", "join_room", "room_id", "lobby", "id", "j"));
            bob.awaitType("joined");
            alice.send(Map.of("type", "room_message", "room_id", "lobby", "id", "m", "content", "from a"));
            long seq = alice.awaitType("ack").path("data").path("seq").asLong();
            com.fasterxml.jackson.databind.JsonNode atBob = bob.awaitType("room_message");
            assertThat(atBob.path("content").asText()).isEqualTo("from a");
            String epoch = atBob.path("epoch").asText();
            assertThat(epoch).isNotBlank();
            bob.send(Map.of("type", "private_message", "to", "alice", "id", "p", "content", "psst"));
            assertThat(alice.awaitType("private_message").path("content").asText()).isEqualTo("psst");
            assertThat(b.http().post("/ws/messages", b.adminToken("ops"),
                    "{\"type\":\"broadcast\",\"content\":\"all\"}").status()).isEqualTo(200);
            alice.awaitType("broadcast");
            // Deleted through node b: node a applies the deletion without reporting it.
            assertThat(b.http().send("DELETE", "/ws/rooms/lobby", b.adminToken("ops"), null).status())
                    .isEqualTo(200);
            alice.awaitType("room_closed");
            List<String> onB = atB.linesUntil("room_deleted lobby ops", ClusterEventsIT::noTransition);
            // The private message's event follows its publish's answer, which with NATS may come after the
            // broadcast's: the two are asserted in either order.
            assertThat(onB).as("node b: what was done through node b (transitions are the tests below)")
                    .containsExactlyInAnyOrder("member_joined lobby bob", "private_message bob alice psst",
                            "broadcast ops all", "room_deleted lobby ops");
            assertThat(onB.getFirst()).isEqualTo("member_joined lobby bob");
            assertThat(onB.getLast()).isEqualTo("room_deleted lobby ops");
            await().atMost(java.time.Duration.ofSeconds(10)).until(() -> others(atA).size() >= 3);
            assertThat(others(atA)).as("node a: what was done through node a").hasSize(3);
            assertThat(others(atA).subList(0, 2)).containsExactly("room_created lobby ops", "member_joined lobby alice");
            // The room message with the seq the ack carried and the shared stream's epoch, once, on the accepting node.
            assertThat(others(atA).get(2)).isEqualTo("room_message lobby alice " + seq + " " + epoch + " from a");
        }
    }

    private static boolean noTransition(String line) {
        return !line.startsWith("user_online") && !line.startsWith("user_offline")
                && !line.startsWith("room_occupied") && !line.startsWith("room_vacated");
    }

    private static List<String> others(RecordingListener listener) {
        return listener.lines().stream().filter(ClusterEventsIT::noTransition).toList();
    }

    /** "node: line" for each line of both listeners that {@code keep} keeps, once {@code count} are there. */
    private static List<String> both(RecordingListener atA, RecordingListener atB, int count,
                                     java.util.function.Predicate<String> keep) {
        java.util.function.Supplier<List<String>> now = () -> {
            List<String> all = new ArrayList<>();
            atA.lines().stream().filter(keep).forEach(line -> all.add("a: " + line));
            atB.lines().stream().filter(keep).forEach(line -> all.add("b: " + line));
            return all;
        };
        await().atMost(java.time.Duration.ofSeconds(15)).until(() -> now.get().size() >= count);
        return now.get();
    }

    @Test
    void a_user_on_two_nodes_goes_online_once_from_the_first_and_offline_once_from_the_last() {
        RecordingListener atA = new RecordingListener("a");
        RecordingListener atB = new RecordingListener("b");
        TestServer a = node("a", atA);
        TestServer b = node("b", atB);
        WsClient onA = a.connect("carol", "general");
        assertThat(both(atA, atB, 1, line -> line.endsWith(" carol") && line.startsWith("user_o")))
                .containsExactly("a: user_online carol");
        WsClient onB = b.connect("carol", "general");
        onA.close();
        await().atMost(java.time.Duration.ofSeconds(10)).until(
                () -> a.service().hub().queries().user("carol").connections() == 0);
        onB.close();

        assertThat(both(atA, atB, 2, line -> line.endsWith(" carol") && line.startsWith("user_o")))
                .as("online from a, where she arrived first; offline from b, where her last connection closed")
                .containsExactly("a: user_online carol", "b: user_offline carol");
    }

    @Test
    void a_room_filled_from_two_nodes_is_occupied_once_and_vacated_once() {
        RecordingListener atA = new RecordingListener("a");
        RecordingListener atB = new RecordingListener("b");
        TestServer a = node("a", atA);
        TestServer b = node("b", atB);
        assertThat(a.http().post("/ws/rooms", a.adminToken("ops"), "{\"id\":\"lounge\"}").status()).isEqualTo(201);
        try (WsClient dave = a.connect("dave", "general");
             WsClient erin = b.connect("erin", "general")) {
            dave.send(Map.of("type", "join_room", "room_id", "lounge", "id", "j"));
            dave.awaitType("joined");
            erin.send(Map.of("type", "join_room", "room_id", "lounge", "id", "j"));
            erin.awaitType("joined");
            dave.send(Map.of("type", "leave_room", "room_id", "lounge", "id", "l"));
            dave.awaitType("left");
            assertThat(both(atA, atB, 1, line -> line.startsWith("room_") && line.endsWith(" lounge")))
                    .containsExactly("a: room_occupied lounge");
            erin.send(Map.of("type", "leave_room", "room_id", "lounge", "id", "l"));
            erin.awaitType("left");
            assertThat(both(atA, atB, 2, line -> line.startsWith("room_") && line.endsWith(" lounge")))
                    .as("occupied by a's dave, vacated when b's erin, its last user, left")
                    .containsExactly("a: room_occupied lounge", "b: room_vacated lounge");
        }
    }

    @Test
    void an_automatic_away_and_the_return_from_it_are_reported_once_by_the_node_that_decided() {
        Map<String, String> quick = Map.of("user_status_timeout", "2s");
        RecordingListener atA = new RecordingListener("a");
        RecordingListener atB = new RecordingListener("b");
        TestServer a = node("a", atA, quick);
        TestServer b = node("b", atB, quick);
        java.util.function.Predicate<String> franks = line -> line.startsWith("user_status frank");
        try (WsClient onA = a.connect("frank", "general");
             WsClient onB = b.connect("frank", "general")) {
            // Idle on both nodes: one of them finds him idle everywhere and decides; the other follows silently.
            List<String> away = both(atA, atB, 1, franks);
            assertThat(away).hasSize(1);
            assertThat(away.getFirst()).endsWith("user_status frank away true");
            await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                    b.service().hub().queries().user("frank").status().wireName().equals("away")
                            && a.service().hub().queries().user("frank").status().wireName().equals("away"));

            // Activity on b brings him back: b decided it.
            onB.send(Map.of("type", "room_message", "room_id", "general", "id", "m", "content", "back"));
            onB.awaitType("ack");
            await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                    a.service().hub().queries().user("frank").status().wireName().equals("online"));
            assertThat(both(atA, atB, 2, franks)).as("away once, back once, from b")
                    .containsExactly(away.getFirst(), "b: user_status frank online true");
        }
    }
}
