package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.testing.ExternalService;
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
    void private_messages_and_broadcasts_cross_nodes_and_an_absent_user_is_not_online_anywhere() {
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
            JsonNode error = alice.awaitType("error");
            assertThat(error.path("data").path("code").asText()).isEqualTo("user_not_online");

            alice.send(Map.of("type", "broadcast", "id", "b1", "content", "to all nodes"));
            assertThat(bob.awaitType("broadcast").path("content").asText()).isEqualTo("to all nodes");
            assertThat(bobsPhone.awaitType("broadcast").path("content").asText()).isEqualTo("to all nodes");
            bobsPhone.expectNothingPendingExcept("user_joined", "presence");
            bob.expectNothingPendingExcept("user_joined", "presence");
        }
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
                List<String> replayed = new ArrayList<>();
                JsonNode resumed = null;
                while (resumed == null) {
                    JsonNode message = back.next();
                    switch (message.path("type").asText()) {
                        case "room_message" -> replayed.add(message.path("content").asText());
                        case "resumed" -> resumed = message;
                        default -> {
                        }
                    }
                }
                assertThat(resumed.path("data").path("recovered").asBoolean()).isTrue();
                assertThat(replayed).containsExactly("missed-1", "missed-2", "missed-3", "missed-4", "missed-5");
            }
        }
    }

    @Test
    void a_node_follows_a_room_while_a_client_there_is_in_it_and_resumes_it_from_the_shared_stream_when_none_is() {
        TestServer a = node("a");
        TestServer b = node("b");
        boolean redis = engine().get("engine").equals("redis");
        String channel = prefix + "r:general";
        try (WsClient alice = a.connect("alice", "general")) {
            if (redis) {
                assertThat(RedisKeys.subscribers(channel)).as("only node a has someone in general").isEqualTo(1);
            }
            WsClient bob = b.connect("bob", "general");
            if (redis) {
                assertThat(RedisKeys.subscribers(channel)).isEqualTo(2);
            }
            alice.send(say("general", "m1", "before"));
            JsonNode before = bob.awaitType("room_message");
            bob.close();
            if (redis) {
                await().atMost(java.time.Duration.ofSeconds(10)).until(() -> RedisKeys.subscribers(channel) == 1);
            }
            for (int i = 1; i <= 4; i++) {
                alice.send(say("general", "x" + i, "missed-" + i));
                alice.awaitType("ack");
            }
            // Back on node b, which no longer follows the room: it catches it up from the stream to answer.
            try (WsClient back = WsClient.connect(b.connectUriWithQuery("room_id=general&since="
                    + before.path("seq").asLong() + "&epoch=" + before.path("epoch").asText() + "&token="
                    + b.token("bob")))) {
                List<String> replayed = new ArrayList<>();
                JsonNode resumed = null;
                while (resumed == null) {
                    JsonNode message = back.next();
                    switch (message.path("type").asText()) {
                        case "room_message" -> replayed.add(message.path("content").asText());
                        case "resumed" -> resumed = message;
                        default -> {
                        }
                    }
                }
                assertThat(resumed.path("data").path("recovered").asBoolean()).isTrue();
                assertThat(replayed).containsExactly("missed-1", "missed-2", "missed-3", "missed-4");
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
    void a_room_created_on_one_node_exists_on_every_node_and_on_one_that_starts_later_and_closes_everywhere() {
        TestServer a = node("a");
        TestServer b = node("b");
        String admin = a.adminToken("root");
        var created = a.http().post("/ws/rooms", admin, "{\"id\":\"ops\",\"name\":\"Ops\",\"description\":\"on call\"}");
        assertThat(created.status()).isEqualTo(201);
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> b.service().hub().roomExists("ops"));
        try (WsClient bob = b.connect("bob", "ops");
             WsClient alice = a.connect("alice", "ops")) {
            alice.send(say("ops", "o1", "paging"));
            assertThat(bob.awaitType("room_message", "ops").path("content").asText()).isEqualTo("paging");

            TestServer late = node("late");
            assertThat(late.service().hub().roomExists("ops")).isTrue();
            assertThat(late.http().get("/ws/rooms", admin).body().toString()).contains("\"Ops\"", "on call");

            assertThat(a.http().send("DELETE", "/ws/rooms/ops", admin, null).status()).isEqualTo(200);
            bob.awaitType("room_closed", "ops");
            await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !b.service().hub().roomExists("ops")
                    && !late.service().hub().roomExists("ops"));
        }
    }
}
