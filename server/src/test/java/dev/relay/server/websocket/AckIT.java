package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Acks and idempotent retries over real sockets. */
class AckIT {

    @Test
    void aMessageWithAnIdIsAckedAndItsRetryIsAckedAgainButDeliveredOnce() {
        try (TestServer server = TestServer.start();
             WsClient other = server.connect("other", "general")) {
            other.awaitType("user_joined");
            WsClient sender = server.connect("sender", "general");
            sender.send(Map.of("type", "room_message", "room_id", "general", "content", "once", "id", "c-1"));
            JsonNode ack = sender.awaitType("ack");
            assertThat(ack.path("data").path("ref").asText()).isEqualTo("c-1");
            JsonNode delivered = other.awaitType("room_message");
            assertThat(ack.path("data").path("id").asText()).isEqualTo(delivered.path("id").asText());
            assertThat(ack.path("data").path("seq").asLong()).isEqualTo(delivered.path("seq").asLong());
            sender.close();

            // The connection dropped before the sender saw the ack; it retries on a new one.
            try (WsClient again = server.connect("sender", "general")) {
                again.send(Map.of("type", "room_message", "room_id", "general", "content", "once", "id", "c-1"));
                JsonNode second = again.awaitType("ack");
                assertThat(second.path("data").path("id").asText()).isEqualTo(delivered.path("id").asText());
                assertThat(second.path("data").path("seq").asLong()).isEqualTo(delivered.path("seq").asLong());
                other.expectNothingPendingExcept("user_joined", "user_left", "presence");
            }
        }
    }

    @Test
    void theSameIdFromAnotherUserIsAnotherMessage() {
        try (TestServer server = TestServer.start();
             WsClient a = server.connect("a", "general");
             WsClient b = server.connect("b", "general")) {
            a.send(Map.of("type", "room_message", "room_id", "general", "content", "from a", "id", "same"));
            b.send(Map.of("type", "room_message", "room_id", "general", "content", "from b", "id", "same"));
            assertThat(a.awaitType("ack").path("data").path("id").asText())
                    .isNotEqualTo(b.awaitType("ack").path("data").path("id").asText());
        }
    }

    @Test
    void aRefusedMessageIsNotRememberedSoItsRetryCanSucceed() {
        try (TestServer server = TestServer.start();
             WsClient client = server.connect("late-joiner", "general")) {
            client.send(Map.of("type", "room_message", "room_id", "support", "content", "hi", "id", "x"));
            assertThat(client.awaitType("error").path("data").path("code").asText()).isEqualTo("not_member");
            client.send(Map.of("type", "join_room", "room_id", "support"));
            client.awaitType("joined");
            client.send(Map.of("type", "room_message", "room_id", "support", "content", "hi", "id", "x"));
            assertThat(client.awaitType("ack").path("data").path("seq").asLong()).isPositive();
        }
    }

    @Test
    void restRetriesWithTheSameIdAreDeliveredOnce() {
        try (TestServer server = TestServer.start();
             WsClient listener = server.connect("listener", "general")) {
            listener.awaitType("user_joined");
            String admin = server.adminToken("ops");
            String body = "{\"type\":\"room_message\",\"room_id\":\"general\",\"content\":\"hello\",\"id\":\"rest-1\"}";
            var first = server.http().post("/ws/messages", admin, body);
            var second = server.http().post("/ws/messages", admin, body);
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.data().path("id").asText()).isEqualTo(first.data().path("id").asText());
            assertThat(second.data().path("seq").asLong()).isEqualTo(first.data().path("seq").asLong());
            assertThat(listener.awaitType("room_message").path("content").asText()).isEqualTo("hello");
            listener.expectNothingPending();
        }
    }
}
