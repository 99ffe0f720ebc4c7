package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** retry_after_ms, the 1008 close for a client that will not stop, and the per-user REST limit. */
class RateLimitIT {
    private static final int PER_MINUTE = 5;

    @Test
    void aRefusalCarriesRetryAfterAndAClientThatKeepsSendingIsClosedWith1008() {
        try (TestServer server = TestServer.start(Map.of("rate_limit_per_minute", String.valueOf(PER_MINUTE)));
             WsClient client = server.connect("flooder", "general");
             WsClient bystander = server.connect("bystander", "general")) {
            for (int i = 0; i < PER_MINUTE; i++) {
                client.send(Map.of("type", "ping"));
                client.awaitType("pong");
            }
            client.send(Map.of("type", "ping", "id", "over"));
            JsonNode error = client.awaitType("error");
            assertThat(error.path("data").path("code").asText()).isEqualTo("rate_limited");
            assertThat(error.path("data").path("retry_after_ms").asLong()).isBetween(1L, 12_000L);
            for (int i = 1; i < 2 * PER_MINUTE; i++) {
                client.send(Map.of("type", "ping"));
            }
            WsClient.Closed closed = client.awaitClose();
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).isEqualTo("rate limit exceeded");
            // Others are unaffected.
            bystander.send(Map.of("type", "ping", "id", "still-here"));
            assertThat(bystander.awaitType("pong").path("data").path("ref").asText()).isEqualTo("still-here");
        }
    }

    @Test
    void framesThatFailToParseAreChargedLikeMessagesAndAFloodIsClosedWith1008() {
        try (TestServer server = TestServer.start(Map.of("rate_limit_per_minute", String.valueOf(PER_MINUTE)));
             WsClient garbage = server.connect("garbage", "general");
             WsClient bystander = server.connect("bystander", "general")) {
            for (int i = 0; i < PER_MINUTE; i++) {
                garbage.send("{not json " + i);
                assertThat(garbage.awaitType("error").path("data").path("code").asText()).isEqualTo("invalid_json");
            }
            // One frame at a time, each answered before the next: a frame still unread when the server closes
            // would reset the socket under the close frame.
            for (int refusal = 1; refusal < 2 * PER_MINUTE; refusal++) {
                garbage.send("{not json, over the budget " + refusal);
                assertThat(garbage.awaitType("error").path("data").path("code").asText()).isEqualTo("rate_limited");
            }
            assertThat(garbage.isClosed()).as("one refusal short of twice the budget").isFalse();
            garbage.send("{the last straw");
            WsClient.Closed closed = garbage.awaitClose();
            assertThat(closed.code()).isEqualTo(1008);
            bystander.send(Map.of("type", "ping", "id", "still-here"));
            assertThat(bystander.awaitType("pong").path("data").path("ref").asText()).isEqualTo("still-here");
        }
    }

    @Test
    void restRequestsPastTheUserLimitGet429WithRetryAfter() {
        try (TestServer server = TestServer.start(Map.of("rest_rate_limit_per_minute", "3"))) {
            Http http = server.http();
            String alice = server.token("alice");
            for (int i = 0; i < 3; i++) {
                assertThat(http.get("/ws/rooms", alice).status()).isEqualTo(200);
            }
            Http.Response refused = http.get("/ws/rooms", alice);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.errorCode()).isEqualTo("rate_limited");
            assertThat(refused.body().path("error").path("retry_after_ms").asLong()).isPositive();
            assertThat(refused.raw().headers().firstValue("Retry-After")).hasValueSatisfying(
                    value -> assertThat(Integer.parseInt(value)).isBetween(1, 20));
            assertThat(http.get("/ws/rooms", server.token("bob")).status()).as("another user").isEqualTo(200);
            assertThat(http.get("/ws/openapi.json", null).status()).as("unauthenticated routes").isEqualTo(200);
        }
    }

    @Test
    void restLimitZeroIsOff() {
        try (TestServer server = TestServer.start(Map.of("rest_rate_limit_per_minute", "0"))) {
            String alice = server.token("alice");
            for (int i = 0; i < 20; i++) {
                assertThat(server.http().get("/ws/rooms", alice).status()).isEqualTo(200);
            }
        }
    }
}
