package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.testing.ExternalService;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two or three nodes in one JVM, each a whole server on its own port, joined through the real Redis under a key
 * prefix of this test's own: clients on different nodes see one server.
 */
class ClusterIT {
    @BeforeEach
    void services() {
        engineServices();
    }

    void engineServices() {
    }

    final String prefix = RedisKeys.freshPrefix();
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

    private TestServer node(String id) {
        return node(id, ExternalService.REDIS.port(), Map.of());
    }

    /** The engine under test; {@link NatsClusterIT} runs the same tests on NATS. */
    Map<String, String> engine() {
        return Map.of("engine", "redis");
    }

    TestServer node(String id, int redisPort, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "redis_url", RedisKeys.url(redisPort),
                "redis_key_prefix", prefix,
                "node_id", id,
                "enable_rate_limit", "false"));
        settings.putAll(engine());
        settings.putAll(more);
        TestServer node = TestServer.start(settings);
        nodes.add(node);
        return node;
    }

    private static Map<String, Object> say(String room, String id, String content) {
        return Map.of("type", "room_message", "room_id", room, "id", id, "content", content);
    }

    @Test
    void room_messages_from_every_node_reach_every_node_in_one_order_with_one_seq() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general");
             WsClient carol = c.connect("carol", "general")) {
            List<WsClient> everyone = List.of(alice, bob, carol);
            for (int i = 0; i < 30; i++) {
                everyone.get(i % 3).send(say("general", "m" + i, "from node " + "abc".charAt(i % 3) + " #" + i));
            }
            List<List<String>> seen = new ArrayList<>();
            for (WsClient client : everyone) {
                List<String> order = new ArrayList<>();
                long lastSeq = 0;
                String epoch = null;
                while (order.size() < 30) {
                    JsonNode message = client.awaitType("room_message");
                    long seq = message.path("seq").asLong();
                    assertThat(seq).as("seq grows by one, on every node").isEqualTo(lastSeq == 0 ? seq : lastSeq + 1);
                    lastSeq = seq;
                    epoch = epoch == null ? message.path("epoch").asText() : epoch;
                    assertThat(message.path("epoch").asText()).isEqualTo(epoch);
                    order.add(seq + ":" + message.path("content").asText());
                }
                seen.add(order);
            }
            assertThat(seen.get(1)).as("node b saw node a's order").isEqualTo(seen.get(0));
            assertThat(seen.get(2)).as("node c saw node a's order").isEqualTo(seen.get(0));
            alice.expectNothingPendingExcept("ack", "user_joined", "presence");
        }
    }

    @Test
    void the_ack_carries_the_seq_every_node_delivers_the_message_at() {
        // The seed's switches are accepted once the nodes share an engine.
        TestServer a = node("a", ExternalService.REDIS.port(), Map.of("enable_load_balancing", "true",
                "enable_message_queue", "true"));
        TestServer b = node("b");
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general")) {
            alice.send(say("general", "one", "hello from a"));
            JsonNode ack = alice.awaitType("ack");
            JsonNode atBob = bob.awaitType("room_message");
            assertThat(atBob.path("content").asText()).isEqualTo("hello from a");
            assertThat(atBob.path("seq").asLong()).isEqualTo(ack.path("data").path("seq").asLong());
            assertThat(atBob.path("id").asText()).isEqualTo(ack.path("data").path("id").asText());
        }
    }

    @Test
    void private_messages_and_broadcasts_cross_nodes_and_one_for_a_user_connected_nowhere_is_held() {
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient alice = a.connect("alice", "general", "admin");
             WsClient bob = b.connect("bob", "general");
             WsClient bobsPhone = a.connect("bob", "general")) {
            alice.send(Map.of("type", "private_message", "to", "bob", "id", "p1", "content", "psst"));
            assertThat(bob.awaitType("private_message").path("content").asText()).isEqualTo("psst");
            assertThat(bobsPhone.awaitType("private_message").path("content").asText()).isEqualTo("psst");
            alice.awaitType("ack");

            alice.send(Map.of("type", "private_message", "to", "nobody", "id", "p2", "content", "?"));
            JsonNode held = alice.awaitType("ack");
            assertThat(held.path("data").path("ref").asText()).isEqualTo("p2");
            assertThat(held.path("data").path("stored_offline").asBoolean()).as("held for nobody").isTrue();

            alice.send(Map.of("type", "broadcast", "id", "b1", "content", "to all nodes"));
            assertThat(bob.awaitType("broadcast").path("content").asText()).isEqualTo("to all nodes");
            assertThat(bobsPhone.awaitType("broadcast").path("content").asText()).isEqualTo("to all nodes");
            bobsPhone.expectNothingPendingExcept("user_joined", "presence");
            bob.expectNothingPendingExcept("user_joined", "presence");
        }
    }

    private static Map<String, Object> whisper(String to, String id, String content) {
        return Map.of("type", "private_message", "to", to, "id", id, "content", content);
    }

    @Test
    void private_messages_to_a_user_offline_everywhere_are_held_and_handed_over_once_on_another_node_after_the_senders_node_is_gone() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        try (WsClient alice = a.connect("alice", "general")) {
            for (int i = 1; i <= 3; i++) {
                alice.send(whisper("bob", "w" + i, "while you were out #" + i));
                JsonNode ack = alice.awaitType("ack");
                assertThat(ack.path("data").path("ref").asText()).isEqualTo("w" + i);
                assertThat(ack.path("data").path("stored_offline").asBoolean()).isTrue();
            }
        }
        a.close(); // the node that took the messages is gone: they are held in Redis, not there

        try (WsClient bob = c.connect("bob", "general")) { // after its welcome
            JsonNode offline = bob.awaitType("offline_messages");
            assertThat(offline.path("data").path("count").asInt()).isEqualTo(3);
            assertThat(offline.path("data").path("dropped").asInt()).isZero();
            for (int i = 1; i <= 3; i++) {
                JsonNode message = bob.next();
                assertThat(message.path("type").asText()).isEqualTo("private_message");
                assertThat(message.path("from").asText()).isEqualTo("alice");
                assertThat(message.path("content").asText()).isEqualTo("while you were out #" + i);
            }
            try (WsClient bobAgain = b.connect("bob", "general")) {
                bobAgain.expectNothingPendingExcept("user_joined", "presence"); // no offline_messages: handed over
            }
        }
    }

    @Test
    void the_offline_bound_holds_across_nodes_and_counts_what_it_dropped() {
        TestServer a = node("a", ExternalService.REDIS.port(), Map.of("offline_max_messages", "2"));
        TestServer b = node("b", ExternalService.REDIS.port(), Map.of("offline_max_messages", "2"));
        try (WsClient alice = a.connect("alice", "general");
             WsClient carol = b.connect("carol", "general")) {
            alice.send(whisper("bob", "x1", "one"));
            alice.awaitType("ack");
            carol.send(whisper("bob", "x2", "two"));
            carol.awaitType("ack");
            alice.send(whisper("bob", "x3", "three"));
            alice.awaitType("ack");
        }
        try (WsClient bob = b.connect("bob", "general")) {
            JsonNode offline = bob.awaitType("offline_messages");
            assertThat(offline.path("data").path("count").asInt()).isEqualTo(2);
            assertThat(offline.path("data").path("dropped").asInt()).isEqualTo(1);
            assertThat(bob.awaitType("private_message").path("content").asText()).isEqualTo("two");
            assertThat(bob.awaitType("private_message").path("content").asText()).isEqualTo("three");
        }
    }

    @Test
    void a_message_sent_while_its_recipient_is_connecting_on_another_node_arrives_on_that_connection_once()
            throws Exception {
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient alice = a.connect("alice", "general")) {
            for (int round = 0; round < 12; round++) {
                // Whether it is delivered live, held and taken on connect, or held just after the connection took
                // what was held, it reaches this connection, not only the user's next one.
                String user = "racer" + round;
                java.util.concurrent.CompletableFuture<WsClient> connecting =
                        java.util.concurrent.CompletableFuture.supplyAsync(() -> b.connect(user, "general"));
                alice.send(whisper(user, "r" + round, "round " + round));
                assertThat(alice.awaitType("ack").path("data").path("ref").asText()).isEqualTo("r" + round);
                try (WsClient recipient = connecting.get(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    assertThat(recipient.awaitType("private_message").path("content").asText())
                            .isEqualTo("round " + round);
                    recipient.expectNothingPendingExcept("user_joined", "user_left", "presence", "offline_messages");
                }
            }
        }
    }

    @Test
    void a_retry_through_another_node_is_answered_with_the_first_outcome_and_delivered_once() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        try (WsClient bob = c.connect("bob", "general")) {
            String firstId;
            String heldId;
            try (WsClient alice = a.connect("alice", "general", "admin")) {
                alice.send(whisper("bob", "once", "only once"));
                firstId = alice.awaitType("ack").path("data").path("id").asText();
                alice.send(Map.of("type", "broadcast", "id", "all-once", "content", "to everyone once"));
                alice.awaitType("ack");
                alice.send(whisper("dora", "held-once", "for dora, once"));
                JsonNode held = alice.awaitType("ack");
                assertThat(held.path("data").path("stored_offline").asBoolean()).isTrue();
                heldId = held.path("data").path("id").asText();
            } // the connection drops before alice sees... and she retries through another node
            try (WsClient again = b.connect("alice", "general", "admin")) {
                again.send(whisper("bob", "once", "only once"));
                JsonNode ack = again.awaitType("ack");
                assertThat(ack.path("data").path("ref").asText()).isEqualTo("once");
                assertThat(ack.path("data").path("id").asText()).as("the first outcome").isEqualTo(firstId);
                again.send(Map.of("type", "broadcast", "id", "all-once", "content", "to everyone once"));
                assertThat(again.awaitType("ack").path("data").path("ref").asText()).isEqualTo("all-once");
                again.send(whisper("dora", "held-once", "for dora, once"));
                JsonNode heldAgain = again.awaitType("ack");
                assertThat(heldAgain.path("data").path("id").asText()).isEqualTo(heldId);
                assertThat(heldAgain.path("data").path("stored_offline").asBoolean()).isTrue();
            }
            assertThat(bob.awaitType("private_message").path("content").asText()).isEqualTo("only once");
            assertThat(bob.awaitType("broadcast").path("content").asText()).isEqualTo("to everyone once");
            bob.expectNothingPendingExcept("user_joined", "user_left", "presence");
            try (WsClient dora = a.connect("dora", "general")) {
                assertThat(dora.awaitType("offline_messages").path("data").path("count").asInt()).isEqualTo(1);
            }
        }
    }

    @Test
    void max_connections_per_user_holds_across_nodes_on_both_sides_of_the_limit() throws Exception {
        Map<String, String> limit = Map.of("max_connections_per_user", "2");
        TestServer a = node("a", ExternalService.REDIS.port(), limit);
        TestServer b = node("b", ExternalService.REDIS.port(), limit);
        try (RawWebSocket first = open(a, "bob");
             RawWebSocket second = open(b, "bob")) {
            assertThat(first.handshake().status()).isEqualTo(101);
            assertThat(second.handshake().status()).as("the second, on another node: at the limit").isEqualTo(101);
            for (TestServer node : List.of(a, b)) {
                try (RawWebSocket third = open(node, "bob")) {
                    assertThat(third.handshake().status()).as("a third, on either node").isEqualTo(429);
                    assertThat(third.handshake().json().path("error").path("code").asText())
                            .isEqualTo("connection_limit");
                }
            }
            try (RawWebSocket other = open(b, "carol")) {
                assertThat(other.handshake().status()).as("another user").isEqualTo(101);
            }
            first.close();
            await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                try (RawWebSocket again = open(b, "bob")) {
                    return again.handshake().status() == 101;
                }
            });
        }
    }

    private static RawWebSocket open(TestServer node, String user) throws java.io.IOException {
        return RawWebSocket.open(node.port(), "/ws/connect", Map.of("Authorization", "Bearer " + node.token(user)));
    }

    @Test
    void a_client_resumes_on_another_node_and_gets_exactly_what_it_missed() {
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient alice = a.connect("alice", "general")) {
            WsClient bob = b.connect("bob", "general");
            alice.send(say("general", "m1", "before"));
            JsonNode before = bob.awaitType("room_message");
            bob.close();
            for (int i = 1; i <= 5; i++) {
                alice.send(say("general", "x" + i, "missed-" + i));
            }
            for (int i = 1; i <= 5; i++) {
                alice.awaitType("ack");
            }
            // Back on the other node, where the messages were published.
            try (WsClient back = WsClient.connect(a.connectUriWithQuery("room_id=general&since="
                    + before.path("seq").asLong() + "&epoch=" + before.path("epoch").asText() + "&token="
                    + a.token("bob")))) {
                WsClient.Resumption resumption = back.awaitResumed();
                assertThat(resumption.recovered()).isTrue();
                assertThat(resumption.replayed()).containsExactly("missed-1", "missed-2", "missed-3", "missed-4", "missed-5");
            }
        }
    }

    /** How many nodes subscribe to the room's channel on Redis. */
    long roomSubscribers(String roomId) {
        return RedisKeys.subscribers(prefix + "r:{" + roomId + "}");
    }

    @Test
    void a_node_follows_a_room_while_a_client_there_is_in_it_and_resumes_it_from_the_shared_stream_when_none_is() {
        TestServer a = node("a");
        TestServer b = node("b");
        boolean redis = engine().get("engine").equals("redis");
        try (WsClient alice = a.connect("alice", "general")) {
            if (redis) {
                assertThat(roomSubscribers("general")).as("only node a has someone in general").isEqualTo(1);
            }
            WsClient bob = b.connect("bob", "general");
            if (redis) {
                assertThat(roomSubscribers("general")).isEqualTo(2);
            }
            alice.send(say("general", "m1", "before"));
            JsonNode before = bob.awaitType("room_message");
            bob.close();
            if (redis) {
                await().atMost(java.time.Duration.ofSeconds(10)).until(() -> roomSubscribers("general") == 1);
            }
            for (int i = 1; i <= 4; i++) {
                alice.send(say("general", "x" + i, "missed-" + i));
                alice.awaitType("ack");
            }
            // Back on node b, which no longer follows the room: it catches it up from the stream to answer.
            try (WsClient back = WsClient.connect(b.connectUriWithQuery("room_id=general&since="
                    + before.path("seq").asLong() + "&epoch=" + before.path("epoch").asText() + "&token="
                    + b.token("bob")))) {
                WsClient.Resumption resumption = back.awaitResumed();
                assertThat(resumption.recovered()).isTrue();
                assertThat(resumption.replayed()).containsExactly("missed-1", "missed-2", "missed-3", "missed-4");
                alice.send(say("general", "after", "live"));
                assertThat(back.awaitType("room_message").path("content").asText()).isEqualTo("live");
            }
        }
    }

    @Test
    void a_node_that_starts_later_continues_the_rooms_stream_and_can_replay_it() {
        TestServer a = node("a");
        long lastSeq;
        String epoch;
        try (WsClient alice = a.connect("alice", "general")) {
            for (int i = 1; i <= 3; i++) {
                alice.send(say("general", "e" + i, "early-" + i));
            }
            JsonNode last = null;
            for (int i = 1; i <= 3; i++) {
                last = alice.awaitType("room_message");
            }
            lastSeq = last.path("seq").asLong();
            epoch = last.path("epoch").asText();
        }
        TestServer late = node("late");
        try (WsClient carol = WsClient.connect(late.connectUriWithQuery("room_id=general&since=" + (lastSeq - 2)
                + "&epoch=" + epoch + "&token=" + late.token("carol")))) {
            List<String> replayed = new ArrayList<>();
            JsonNode resumed = null;
            while (resumed == null) {
                JsonNode message = carol.next();
                switch (message.path("type").asText()) {
                    case "room_message" -> replayed.add(message.path("content").asText());
                    case "resumed" -> resumed = message;
                    default -> {
                    }
                }
            }
            assertThat(resumed.path("data").path("recovered").asBoolean()).isTrue();
            assertThat(resumed.path("data").path("epoch").asText()).isEqualTo(epoch);
            assertThat(replayed).containsExactly("early-2", "early-3");
            carol.send(say("general", "n", "next"));
            assertThat(carol.awaitType("room_message").path("seq").asLong()).isEqualTo(lastSeq + 1);
        }
    }

    @Test
    void a_rest_join_on_one_node_moves_the_users_connections_on_every_node() {
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient bobOnB = b.connect("bob", "general");
             WsClient carolOnB = b.connect("carol", "support")) {
            var joined = a.http().post("/ws/rooms/support/join", a.token("bob"), "");
            assertThat(joined.status()).isEqualTo(200);
            JsonNode event = carolOnB.await(m -> "user_joined".equals(m.path("type").asText())
                    && "bob".equals(m.path("data").path("user_id").asText()), "bob joining support");
            assertThat(event.path("room_id").asText()).isEqualTo("support");

            carolOnB.send(say("support", "s1", "welcome bob"));
            assertThat(bobOnB.awaitType("room_message", "support").path("content").asText()).isEqualTo("welcome bob");

            assertThat(a.http().post("/ws/rooms/support/leave", a.token("bob"), "").status()).isEqualTo(200);
            carolOnB.await(m -> "user_left".equals(m.path("type").asText()), "bob leaving support");
        }
    }

    @Test
    void a_join_or_leave_over_the_websocket_is_the_users_on_every_node() {
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient erinOnA = a.connect("erin", "general");
             WsClient erinOnB = b.connect("erin", "general");
             WsClient carolOnB = b.connect("carol", "support")) {
            erinOnA.send(Map.of("type", "join_room", "room_id", "support", "id", "j"));
            // Node a answers once it follows the room; only what is published after that answer is promised to
            // reach the connection (a message before it may be part of the catch-up the join starts after).
            assertThat(erinOnA.awaitType("joined", "support").path("data").path("ref").asText()).isEqualTo("j");
            assertThat(erinOnB.awaitType("joined", "support").path("data").has("ref")).as("moved, not asked").isFalse();
            carolOnB.send(say("support", "s1", "both of erin's"));
            assertThat(erinOnB.awaitType("room_message", "support").path("content").asText())
                    .isEqualTo("both of erin's");
            assertThat(erinOnA.awaitType("room_message", "support").path("content").asText())
                    .isEqualTo("both of erin's");

            erinOnB.send(Map.of("type", "leave_room", "room_id", "support", "id", "l"));
            erinOnA.awaitType("left", "support");
            carolOnB.await(m -> "user_left".equals(m.path("type").asText())
                    && "erin".equals(m.path("data").path("user_id").asText()), "erin leaving support");
        }
    }

    @Test
    void a_room_created_on_one_node_exists_on_every_node_and_on_one_that_starts_later_and_closes_everywhere() {
        TestServer a = node("a");
        TestServer b = node("b");
        String admin = a.adminToken("root");
        var created = a.http().post("/ws/rooms", admin, "{\"id\":\"ops\",\"name\":\"Ops\",\"description\":\"on call\"}");
        assertThat(created.status()).isEqualTo(201);
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> b.service().hub().queries().roomExists("ops"));
        try (WsClient bob = b.connect("bob", "ops");
             WsClient alice = a.connect("alice", "ops")) {
            alice.send(say("ops", "o1", "paging"));
            assertThat(bob.awaitType("room_message", "ops").path("content").asText()).isEqualTo("paging");

            TestServer late = node("late");
            assertThat(late.service().hub().queries().roomExists("ops")).isTrue();
            assertThat(late.http().get("/ws/rooms", admin).body().toString()).contains("\"Ops\"", "on call");

            assertThat(a.http().send("DELETE", "/ws/rooms/ops", admin, null).status()).isEqualTo(200);
            bob.awaitType("room_closed", "ops");
            await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !b.service().hub().queries().roomExists("ops")
                    && !late.service().hub().queries().roomExists("ops"));
        }
    }

    @Test
    void a_room_id_taken_anywhere_in_the_cluster_is_refused_with_its_access_list_left_as_it_was() {
        TestServer a = node("a");
        TestServer b = node("b", ExternalService.REDIS.port(), Map.of("max_rooms", "4"));
        String owner = a.adminToken("owner");
        // While node b is full, a room created on a cannot exist there; then b has room again.
        assertThat(b.http().post("/ws/rooms", b.adminToken("root"), "{\"id\":\"filler\"}").status()).isEqualTo(201);
        assertThat(a.http().post("/ws/rooms", owner, "{\"id\":\"vault\",\"private\":true,\"members\":[\"alice\"]}")
                .status()).isEqualTo(201);
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> a.service().hub().queries().roomExists("filler"));
        assertThat(b.http().send("DELETE", "/ws/rooms/filler", b.adminToken("root"), null).status()).isEqualTo(200);
        assertThat(b.service().hub().queries().roomExists("vault")).isFalse();

        var takeover = b.http().post("/ws/rooms", b.adminToken("intruder"),
                "{\"id\":\"vault\",\"private\":true,\"members\":[\"intruder\"]}");
        assertThat(takeover.status()).isEqualTo(409);
        assertThat(takeover.errorCode()).isEqualTo("room_exists");

        TestServer late = node("late");
        assertThat(late.service().hub().queries().roomAccess().mayEnter(
                new dev.relay.core.identity.Identity("intruder", null, java.util.Set.of()), "vault")).isFalse();
        assertThat(late.service().hub().queries().roomAccess().mayEnter(
                new dev.relay.core.identity.Identity("alice", null, java.util.Set.of()), "vault")).isTrue();
        assertThat(a.http().post("/ws/rooms", owner, "{\"id\":\"vault\"}").status()).as("on a too").isEqualTo(409);
    }

    // ---- presence across nodes ----

    /**
     * The presence events about {@code userId} each client gets before {@code sentinel}, a room message sent after
     * whatever the test did: "user_joined", "user_left" or "presence:<status>".
     */
    private static List<List<String>> eventsAbout(String userId, WsClient sender, String sentinel,
                                                  List<WsClient> watchers) {
        sender.send(say("general", sentinel, sentinel));
        List<List<String>> seen = new ArrayList<>();
        for (WsClient watcher : watchers) {
            List<String> events = new ArrayList<>();
            while (true) {
                JsonNode message = watcher.next();
                String type = message.path("type").asText();
                if (type.equals("room_message") && sentinel.equals(message.path("content").asText())) {
                    break;
                }
                if (userId.equals(message.path("data").path("user_id").asText())) {
                    events.add(type.equals("presence") ? "presence:" + message.path("data").path("status").asText()
                            : type);
                }
            }
            seen.add(events);
        }
        return seen;
    }

    /** User to connections in the room, as a node's REST API reports it. */
    private static Map<String, Integer> members(TestServer node, String roomId) {
        JsonNode data = node.http().get("/ws/rooms/" + roomId + "/members", node.token("observer")).data();
        Map<String, Integer> members = new java.util.TreeMap<>();
        data.path("members").forEach(m -> members.put(m.path("user_id").asText(), m.path("connections").asInt()));
        assertThat(data.path("total").asInt()).isEqualTo(members.size());
        return members;
    }

    private static void awaitMembers(List<TestServer> nodes, String roomId, Map<String, Integer> expected) {
        await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            for (TestServer node : nodes) {
                assertThat(members(node, roomId)).as("members on a node").isEqualTo(expected);
            }
        });
    }

    @Test
    void a_user_on_two_nodes_is_announced_once_on_every_node_when_first_arriving_and_when_last_leaving() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        List<TestServer> all = List.of(a, b, c);
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general");
             WsClient carol = c.connect("carol", "general")) {
            List<WsClient> watchers = List.of(alice, bob, carol);
            awaitMembers(all, "general", Map.of("alice", 1, "bob", 1, "carol", 1));
            eventsAbout("nobody", carol, "settled", watchers);

            WsClient daveOnA = a.connect("dave", "general");
            for (WsClient watcher : watchers) {
                watcher.await(m -> "user_joined".equals(m.path("type").asText())
                        && "dave".equals(m.path("data").path("user_id").asText()), "dave's arrival");
            }
            WsClient daveOnB = b.connect("dave", "general");
            awaitMembers(all, "general", Map.of("alice", 1, "bob", 1, "carol", 1, "dave", 2));
            assertThat(eventsAbout("dave", carol, "after-second", watchers))
                    .as("no second arrival for dave's connection on another node, and no duplicate of the first")
                    .containsOnly(List.of());

            daveOnA.close();
            awaitMembers(all, "general", Map.of("alice", 1, "bob", 1, "carol", 1, "dave", 1));
            assertThat(eventsAbout("dave", carol, "after-one-left", watchers))
                    .as("no departure while dave is still connected on node b").containsOnly(List.of());

            daveOnB.close();
            for (WsClient watcher : watchers) {
                watcher.await(m -> "presence".equals(m.path("type").asText())
                        && "dave".equals(m.path("data").path("user_id").asText()), "dave going offline");
            }
            awaitMembers(all, "general", Map.of("alice", 1, "bob", 1, "carol", 1));
            // What arrived before the offline event was checked by the await above; now nothing more about dave.
            assertThat(eventsAbout("dave", carol, "after-last-left", watchers)).containsOnly(List.of());
        }
    }

    @Test
    void the_last_connection_leaving_anywhere_is_announced_once_as_user_left_then_offline() {
        TestServer a = node("a");
        TestServer b = node("b");
        List<TestServer> all = List.of(a, b);
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general")) {
            List<WsClient> watchers = List.of(alice, bob);
            WsClient dave = b.connect("dave", "general");
            awaitMembers(all, "general", Map.of("alice", 1, "bob", 1, "dave", 1));
            eventsAbout("nobody", alice, "settled", watchers);
            dave.close();
            awaitMembers(all, "general", Map.of("alice", 1, "bob", 1));
            List<List<String>> seen = eventsAbout("dave", alice, "after", watchers);
            assertThat(seen).containsOnly(List.of("user_left", "presence:offline"));
        }
    }

    @Test
    void members_client_count_and_stats_report_the_cluster_on_every_node() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        List<TestServer> all = List.of(a, b, c);
        try (WsClient alice = a.connect("alice", "general");
             WsClient bobOnB = b.connect("bob", "general");
             WsClient bobOnC = c.connect("bob", "general");
             WsClient carol = c.connect("carol", "support")) {
            awaitMembers(all, "general", Map.of("alice", 1, "bob", 2));
            awaitMembers(all, "support", Map.of("carol", 1));
            String admin = a.adminToken("root");
            for (TestServer node : all) {
                JsonNode rooms = node.http().get("/ws/rooms", admin).data().path("rooms");
                Map<String, Integer> counts = new HashMap<>();
                rooms.forEach(room -> counts.put(room.path("id").asText(), room.path("client_count").asInt()));
                assertThat(counts).as("client_count in the room listing").containsEntry("general", 3)
                        .containsEntry("support", 1);
                JsonNode stats = node.http().get("/ws/stats", admin).data();
                assertThat(stats.path("rooms").path("general").path("client_count").asInt()).isEqualTo(3);
                assertThat(stats.path("rooms").path("support").path("client_count").asInt()).isEqualTo(1);
            }
            JsonNode bob = b.http().get("/ws/rooms/general/members", admin).data().path("members");
            assertThat(bob.findValuesAsText("user_id")).containsExactly("alice", "bob");
        }
    }

    @Test
    void the_presence_limit_counts_the_users_of_every_node_on_both_sides_of_it() {
        Map<String, String> limit = Map.of("presence_max_room_users", "3");
        TestServer a = node("a", ExternalService.REDIS.port(), limit);
        TestServer b = node("b", ExternalService.REDIS.port(), limit);
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general")) {
            List<WsClient> watchers = List.of(alice, bob);
            WsClient third = a.connect("carol", "general");
            for (WsClient watcher : watchers) { // 3 users across the nodes: at the limit, announced
                watcher.await(m -> "user_joined".equals(m.path("type").asText())
                        && "carol".equals(m.path("data").path("user_id").asText()), "carol's arrival");
            }
            WsClient fourth = b.connect("dave", "general"); // 4 users, 2 on each node: past it
            awaitMembers(List.of(a, b), "general", Map.of("alice", 1, "bob", 1, "carol", 1, "dave", 1));
            assertThat(eventsAbout("dave", alice, "past-the-limit", watchers)).containsOnly(List.of());
            fourth.close();
            awaitMembers(List.of(a, b), "general", Map.of("alice", 1, "bob", 1, "carol", 1));
            assertThat(eventsAbout("dave", alice, "left-past-the-limit", watchers))
                    .as("a departure from past the limit is not announced either").containsOnly(List.of());
            third.close();
            awaitMembers(List.of(a, b), "general", Map.of("alice", 1, "bob", 1));
            assertThat(eventsAbout("carol", alice, "left-at-the-limit", watchers))
                    .containsOnly(List.of("user_left", "presence:offline"));
        }
    }

    @Test
    void a_status_chosen_on_one_node_is_announced_once_in_every_room_of_the_user_on_every_node() {
        TestServer a = node("a");
        TestServer b = node("b");
        TestServer c = node("c");
        try (WsClient alice = a.connect("alice", "general");
             WsClient carol = c.connect("carol", "support");
             WsClient daveOnA = a.connect("dave", "general");
             WsClient daveOnB = b.connect("dave", "general");
             // Connected to support, not joined: a join would bring his other connections (node a's too) along.
             WsClient daveInSupportOnB = b.connect("dave", "support")) {
            awaitMembers(List.of(a, b, c), "support", Map.of("carol", 1, "dave", 1));
            awaitMembers(List.of(a, b, c), "general", Map.of("alice", 1, "dave", 2));
            eventsAbout("nobody", alice, "settled", List.of(alice));

            daveOnA.send(Map.of("type", "status", "content", "busy"));
            // general (dave there on both nodes) hears it once; support (dave there only through node b) too.
            alice.await(m -> "presence".equals(m.path("type").asText())
                    && "busy".equals(m.path("data").path("status").asText()), "dave busy in general");
            carol.await(m -> "presence".equals(m.path("type").asText())
                    && "busy".equals(m.path("data").path("status").asText()), "dave busy in support");
            assertThat(eventsAbout("dave", alice, "after-status", List.of(alice))).containsOnly(List.of());
            await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
                for (TestServer node : List.of(a, b, c)) {
                    JsonNode members = node.http().get("/ws/rooms/general/members", node.token("x")).data();
                    members.path("members").forEach(m -> {
                        if ("dave".equals(m.path("user_id").asText())) {
                            assertThat(m.path("status").asText()).as("dave's status on a node").isEqualTo("busy");
                        }
                    });
                }
            });
        }
    }

    /** The user's status as the node's REST API reports it. */
    private static String statusOn(TestServer node, String userId) {
        return node.http().get("/ws/users/" + userId, node.token("observer")).data().path("status").asText();
    }

    @Test
    void a_user_on_two_nodes_turns_away_only_once_idle_on_both_and_comes_back_with_activity_on_either_said_once_each_way()
            throws InterruptedException {
        Map<String, String> quick = Map.of("user_status_timeout", "2s");
        TestServer a = node("a", ExternalService.REDIS.port(), quick);
        TestServer b = node("b", ExternalService.REDIS.port(), quick);
        List<TestServer> both = List.of(a, b);
        try (WsClient watcher = a.connect("watcher", "general");
             WsClient daveOnA = a.connect("dave", "general");
             WsClient daveOnB = b.connect("dave", "general")) {
            // Dave talks through node b only, for well over twice the timeout; node a sees nothing from him.
            long until = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
            for (int i = 0; System.nanoTime() < until; i++) {
                daveOnB.send(say("general", "k" + i, "still typing on b"));
                Thread.sleep(400); // his typing pace: the scenario, not a wait for something to happen
            }
            assertThat(eventsAbout("dave", watcher, "while-active-on-b", List.of(watcher)).getFirst())
                    .as("dave is idle on node a but active on node b: not away").doesNotContain("presence:away");
            for (TestServer node : both) {
                assertThat(statusOn(node, "dave")).as("dave on a node while active on b").isEqualTo("online");
            }

            // Quiet everywhere: away on both nodes, announced once.
            await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() -> {
                for (TestServer node : both) {
                    assertThat(statusOn(node, "dave")).as("dave idle everywhere").isEqualTo("away");
                }
            });

            // One message through node a brings him back on both, announced once.
            daveOnA.send(say("general", "back", "back on a"));
            await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
                for (TestServer node : both) {
                    assertThat(statusOn(node, "dave")).as("dave back after a message on a").isEqualTo("online");
                }
            });
            assertThat(eventsAbout("dave", watcher, "after-back", List.of(watcher)))
                    .containsOnly(List.of("presence:away", "presence:online"));
        }
    }
}
