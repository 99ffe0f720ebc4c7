package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.testing.ExternalService;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 27's frames across two nodes of a Redis cluster: an edit made on one node reaches the other node's members
 * (and is checked there against that node's own copy), and typing reaches the other users wherever they are.
 */
class ChatClusterIT {
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
        TestServer node = TestServer.start(Map.of("engine", "redis",
                "redis_url", RedisKeys.url(ExternalService.REDIS.port()), "redis_key_prefix", prefix, "node_id", id,
                "enable_rate_limit", "false"));
        nodes.add(node);
        return node;
    }

    private static JsonNode ofType(WsClient client, String type) {
        return client.await(m -> type.equals(m.path("type").asText()), "a " + type);
    }

    @Test
    void anEditAndADeleteOnOneNodeReachTheOtherAndSomeoneElsesAreRefusedThere() {
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general")) {
            alice.send(Map.of("type", "room_message", "id", "r-1", "room_id", "general", "content", "helo"));
            String id = ofType(bob, "room_message").path("id").asText();

            bob.send(Map.of("type", "edit_message", "id", "e-bob", "room_id", "general", "data", Map.of("id", id),
                    "content", "bob's now"));
            JsonNode refused = ofType(bob, "error");
            assertThat(refused.path("data").path("code").asText()).isEqualTo("forbidden");

            alice.send(Map.of("type", "edit_message", "room_id", "general", "data", Map.of("id", id),
                    "content", "hello"));
            JsonNode update = ofType(bob, "message_update");
            assertThat(update.path("id").asText()).isEqualTo(id);
            assertThat(update.path("content").asText()).isEqualTo("hello");
            assertThat(update.path("data").path("edited_at").asText()).isNotEmpty();
            assertThat(ofType(alice, "message_update").path("content").asText()).isEqualTo("hello");

            bob.send(Map.of("type", "delete_message", "id", "d-bob", "room_id", "general", "data", Map.of("id", id)));
            assertThat(ofType(bob, "error").path("data").path("code").asText()).isEqualTo("forbidden");
            alice.send(Map.of("type", "delete_message", "room_id", "general", "data", Map.of("id", id)));
            JsonNode deleted = ofType(bob, "message_deleted");
            assertThat(deleted.path("id").asText()).isEqualTo(id);
            assertThat(deleted.path("room_id").asText()).isEqualTo("general");
        }
    }

    @Test
    void typingReachesTheOtherNodeInARoomAndInAPrivateConversation() {
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general")) {
            alice.send(Map.of("type", "typing", "room_id", "general"));
            JsonNode inRoom = ofType(bob, "typing");
            assertThat(inRoom.path("room_id").asText()).isEqualTo("general");
            assertThat(inRoom.path("from").asText()).isEqualTo("alice");

            bob.send(Map.of("type", "typing", "to", "alice"));
            JsonNode direct = ofType(alice, "typing");
            assertThat(direct.path("to").asText()).isEqualTo("alice");
            assertThat(direct.path("from").asText()).isEqualTo("bob");
            assertThat(direct.has("room_id")).isFalse();
        }
    }
}
