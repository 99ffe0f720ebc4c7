package dev.relay.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.Tokens;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** token_expiring, refresh and the 4401 close, with tokens that live a few seconds. */
class TokenExpiryIT {
    private static final byte[] SECRET = TestServer.SECRET.getBytes(StandardCharsets.UTF_8);
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("jwt_clock_skew", "0s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String token(String user, Duration life) {
        return Tokens.signHmac(SECRET, JWSAlgorithm.HS256, Tokens.claims(user, Instant.now().plus(life), b -> b));
    }

    private static WsClient connect(String token) {
        WsClient client = WsClient.connect(server.connectUri("general", token));
        client.expectType("welcome");
        return client;
    }

    @Test
    void aConnectionIsWarnedThenClosedWith4401WhenItsTokenExpires() {
        try (WsClient client = connect(token("short", Duration.ofSeconds(4)))) {
            JsonNode warning = client.awaitType("token_expiring");
            assertThat(warning.path("data").path("expires_at").asText()).isNotEmpty();
            WsClient.Closed closed = client.awaitClose();
            assertThat(closed.code()).isEqualTo(4401);
            assertThat(closed.reason()).isEqualTo("token expired");
        }
    }

    @Test
    void aRefreshWithANewTokenForTheSameUserKeepsTheConnectionOpen() throws Exception {
        try (WsClient client = connect(token("renewer", Duration.ofSeconds(4)))) {
            client.awaitType("token_expiring");
            client.send(Map.of("type", "refresh", "id", "r1",
                    "data", Map.of("token", token("renewer", Duration.ofHours(1)))));
            JsonNode refreshed = client.awaitType("refreshed");
            assertThat(refreshed.path("data").path("ref").asText()).isEqualTo("r1");
            assertThat(Instant.parse(refreshed.path("data").path("expires_at").asText()))
                    .isAfter(Instant.now().plusSeconds(3000));
            Thread.sleep(4000); // past the first token's exp
            client.send(Map.of("type", "ping", "id", "p1"));
            assertThat(client.awaitType("pong").path("data").path("ref").asText()).isEqualTo("p1");
            assertThat(client.isClosed()).isFalse();
        }
    }

    @Test
    void aRefreshForAnotherUserOrWithABadTokenIsRefusedAndDoesNotExtend() {
        try (WsClient client = connect(token("victim", Duration.ofSeconds(4)))) {
            client.send(Map.of("type", "refresh", "data", Map.of("token", token("intruder", Duration.ofHours(1)))));
            assertThat(client.awaitType("error").path("data").path("code").asText()).isEqualTo("forbidden");
            client.send(Map.of("type", "refresh", "data", Map.of("token", "not-a-jwt")));
            assertThat(client.awaitType("error").path("data").path("code").asText()).isEqualTo("unauthorized");
            client.send(Map.of("type", "refresh", "data", Map.of()));
            assertThat(client.awaitType("error").path("data").path("code").asText()).isEqualTo("missing_field");
            assertThat(client.awaitClose().code()).isEqualTo(4401);
        }
    }

    @Test
    void aLongLivedTokenIsNotWarnedEarly() {
        try (WsClient client = connect(token("patient", Duration.ofHours(1)))) {
            client.send(Map.of("type", "ping"));
            client.awaitType("pong");
            client.expectNothingPending();
        }
    }
}
