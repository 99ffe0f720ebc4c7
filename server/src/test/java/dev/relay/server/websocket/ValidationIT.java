package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.Tokens;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Bounds on data nesting, user ids in 'to' and 'sub', and UTF-8 in text frames. */
class ValidationIT {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static String roomMessageWithData(String data) {
        return "{\"type\":\"room_message\",\"room_id\":\"general\",\"id\":\"d\",\"data\":" + data + "}";
    }

    @Test
    void dataNestedSixteenDeepIsDeliveredAndSeventeenIsRefused() {
        try (WsClient client = server.connect("nester", "general")) {
            client.send(roomMessageWithData(nested(16)));
            assertThat(client.awaitType("room_message").path("data").toString()).isEqualTo(nested(16));
            client.send(roomMessageWithData(nested(17)));
            JsonNode error = client.awaitType("error");
            assertThat(error.path("data").path("code").asText()).isEqualTo("invalid_field");
            assertThat(error.path("content").asText()).contains("16 levels");
            client.send(Map.of("type", "ping", "id", "alive"));
            assertThat(client.awaitType("pong").path("data").path("ref").asText()).isEqualTo("alive");
        }
    }

    @Test
    void deepDataIsRefusedOverRestToo() {
        Http.Response response = server.http().post("/ws/messages", server.adminToken("root"),
                roomMessageWithData(nested(500)));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("invalid_field");
    }

    @Test
    void aPrivateMessageToAMalformedUserIdIsRefused() {
        try (WsClient client = server.connect("sender", "general")) {
            for (String to : new String[] {"two words", "x".repeat(129), "tab\tbed", "zero\u200Bwidth"}) {
                client.send(Map.of("type", "private_message", "to", to, "content", "hi"));
                assertThat(client.awaitType("error").path("data").path("code").asText()).as(to)
                        .isEqualTo("invalid_field");
            }
            client.send(Map.of("type", "private_message", "to", "x".repeat(128), "content", "hi", "id", "longest"));
            assertThat(client.awaitType("ack").path("data").path("stored_offline").asBoolean())
                    .as("valid but offline: held").isTrue();
        }
    }

    @Test
    void aTokenWhoseSubIsNotAValidUserIdIsRefused() {
        String token = Tokens.signHmac(TestServer.SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256,
                Tokens.claims("has space"));
        assertThat(Tokens.upgradeStatus(server, token)).isEqualTo(401);
        String fine = Tokens.signHmac(TestServer.SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256,
                Tokens.claims("auth0|5f7c8ec7@example.com"));
        assertThat(Tokens.upgradeStatus(server, fine)).isEqualTo(101);
    }

    @Test
    void aTextFrameThatIsNotUtf8ClosesWith1007() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token("bytes"), Map.of())) {
            assertThat(ws.handshake().status()).isEqualTo(101);
            ws.awaitType("welcome");
            ws.sendFrame(0x1, new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', '}'}, true);
            RawWebSocket.Frame close = ws.awaitClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1007);
        }
    }
}
