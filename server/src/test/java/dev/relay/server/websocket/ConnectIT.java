package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Everything decided before the WebSocket exists: token, origin, room, address and connection limit. */
class ConnectIT {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aTokenInTheAuthorizationHeaderIsAccepted() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/connect",
                Map.of("Authorization", "Bearer " + server.token("header-user")))) {
            assertThat(ws.handshake().status()).isEqualTo(101);
            JsonNode welcome = ws.awaitType("welcome");
            assertThat(welcome.path("data").path("user_id").asText()).isEqualTo("header-user");
            assertThat(welcome.path("data").path("room_id").asText()).isEqualTo("general");
        }
    }

    @Test
    void missingTokenIsRefusedWith401() throws Exception {
        assertRefused("/ws/connect", Map.of(), 401, "unauthorized");
    }

    @Test
    void malformedTokenIsRefusedWith401() throws Exception {
        assertRefused("/ws/connect?token=not-a-jwt", Map.of(), 401, "unauthorized");
    }

    @Test
    void tokenSignedWithAnotherSecretIsRefused() throws Exception {
        String forged = sign("mallory", "another-secret-that-is-also-32-bytes-long!!", Instant.now().plusSeconds(600));
        assertRefused("/ws/connect?token=" + forged, Map.of(), 401, "unauthorized");
    }

    @Test
    void unsignedTokenIsRefused() throws Exception {
        String none = new PlainJWT(new JWTClaimsSet.Builder().subject("admin")
                .claim("roles", java.util.List.of("admin"))
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build()).serialize();
        JsonNode body = assertRefused("/ws/connect?token=" + none, Map.of(), 401, "unauthorized");
        assertThat(body.path("error").path("message").asText()).contains("alg: none");
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        String expired = sign("late", TestServer.SECRET, Instant.now().minusSeconds(120)); // beyond the 30 s skew
        JsonNode body = assertRefused("/ws/connect?token=" + expired, Map.of(), 401, "unauthorized");
        assertThat(body.path("error").path("message").asText()).contains("expired");
    }

    @Test
    void tokenWithoutExpiryIsRefused() throws Exception {
        String forever = sign("forever", TestServer.SECRET, null);
        assertRefused("/ws/connect?token=" + forever, Map.of(), 401, "unauthorized");
    }

    @Test
    void unknownRoomIsRefusedWith404AndAnInvalidOneWith400() throws Exception {
        String token = server.token("roamer");
        assertRefused("/ws/connect?room_id=atlantis&token=" + token, Map.of(), 404, "room_not_found");
        assertRefused("/ws/connect?room_id=bad%20room&token=" + token, Map.of(), 400, "invalid_room_id");
    }

    @Test
    void plainHttpToTheConnectEndpointIsTold426() {
        var response = server.http().get("/ws/connect?token=" + server.token("curl-user"), null);
        assertThat(response.status()).isEqualTo(426);
        assertThat(response.errorCode()).isEqualTo("upgrade_required");
        assertThat(response.body().path("success").asBoolean(true)).isFalse();
    }

    @Test
    void browserFromAnotherSiteIsRefusedButTheServersOwnPageIsNot() throws Exception {
        String token = server.token("browser");
        assertRefused("/ws/connect?token=" + token, Map.of("Origin", "https://evil.example"), 403,
                "origin_not_allowed");
        try (RawWebSocket sameOrigin = RawWebSocket.open(server.port(), "/ws/connect?token=" + token,
                Map.of("Origin", "http://127.0.0.1:" + server.port()))) {
            assertThat(sameOrigin.handshake().status()).isEqualTo(101);
        }
    }

    @Test
    void allowedOriginsListIsHonouredAndTheCheckCanBeSwitchedOff() throws Exception {
        try (TestServer listed = TestServer.start(Map.of("allowed_origins", "https://app.example"));
             TestServer open = TestServer.start(Map.of("enable_origin_check", "false"))) {
            String token = listed.token("u");
            try (RawWebSocket ok = RawWebSocket.open(listed.port(), "/ws/connect?token=" + token,
                    Map.of("Origin", "https://app.example"))) {
                assertThat(ok.handshake().status()).isEqualTo(101);
            }
            try (RawWebSocket refused = RawWebSocket.open(listed.port(), "/ws/connect?token=" + token,
                    Map.of("Origin", "http://127.0.0.1:" + listed.port()))) {
                assertThat(refused.handshake().status()).isEqualTo(403);
            }
            try (RawWebSocket anywhere = RawWebSocket.open(open.port(), "/ws/connect?token=" + open.token("u"),
                    Map.of("Origin", "https://evil.example"))) {
                assertThat(anywhere.handshake().status()).isEqualTo(101);
            }
        }
    }

    @Test
    void blacklistedAndNonWhitelistedAddressesAreRefusedForWebSocketAndRest() throws Exception {
        try (TestServer blocked = TestServer.start(Map.of("ip_blacklist", "127.0.0.0/8"));
             TestServer allowOther = TestServer.start(Map.of("enable_ip_whitelist", "true", "ip_whitelist", "10.0.0.0/8"));
             TestServer allowUs = TestServer.start(Map.of("enable_ip_whitelist", "true", "ip_whitelist", "127.0.0.1/32"))) {
            try (RawWebSocket ws = RawWebSocket.open(blocked.port(), "/ws/connect?token=" + blocked.token("u"), Map.of())) {
                assertThat(ws.handshake().status()).isEqualTo(403);
                assertThat(ws.handshake().json().path("error").path("code").asText()).isEqualTo("ip_forbidden");
            }
            assertThat(blocked.http().get("/ws/rooms", blocked.token("u")).status()).isEqualTo(403);
            assertThat(allowOther.http().get("/ws/rooms", allowOther.token("u")).status()).isEqualTo(403);
            assertThat(allowUs.http().get("/ws/rooms", allowUs.token("u")).status()).isEqualTo(200);
        }
    }

    @Test
    void maxConnectionsAdmitsExactlyTheLimitThenAnswers503() throws Exception {
        try (TestServer small = TestServer.start(Map.of("max_connections", "2"))) {
            try (WsClient first = small.connect("a", "general");
                 WsClient second = small.connect("b", "general")) {
                assertThat(first.isClosed()).isFalse();
                assertThat(second.isClosed()).isFalse();
                try (RawWebSocket third = RawWebSocket.open(small.port(), "/ws/connect?token=" + small.token("c"), Map.of())) {
                    assertThat(third.handshake().status()).isEqualTo(503);
                    assertThat(third.handshake().json().path("error").path("code").asText())
                            .isEqualTo("too_many_connections");
                }
            }
            // Slots come back when connections close.
            org.awaitility.Awaitility.await().untilAsserted(() -> {
                try (RawWebSocket again = RawWebSocket.open(small.port(), "/ws/connect?token=" + small.token("c"), Map.of())) {
                    assertThat(again.handshake().status()).isEqualTo(101);
                }
            });
        }
    }

    private static JsonNode assertRefused(String pathAndQuery, Map<String, String> headers, int status, String code)
            throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), pathAndQuery, headers)) {
            RawWebSocket.HttpReply reply = ws.handshake();
            assertThat(reply.status()).as("status for %s", pathAndQuery).isEqualTo(status);
            JsonNode body = reply.json();
            assertThat(body.path("success").asBoolean(true)).isFalse();
            assertThat(body.path("error").path("code").asText()).isEqualTo(code);
            assertThat(body.path("error").path("message").asText()).isNotBlank();
            return body;
        }
    }

    private static String sign(String subject, String secret, Instant expires) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject);
        if (expires != null) {
            claims.expirationTime(Date.from(expires));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}
