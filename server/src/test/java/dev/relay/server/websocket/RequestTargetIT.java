package dev.relay.server.websocket;

import ch.qos.logback.classic.Level;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.LogCapture;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The request target is read once and the same way by the gate, the handshaker and the router. */
class RequestTargetIT {

    @Test
    void anEncodedConnectPathIsUpgradedAndGivesItsSlotsBackWhenItCloses() throws Exception {
        try (TestServer server = TestServer.start(Map.of("max_connections", "3"))) {
            Map<String, String> auth = Map.of("Authorization", "Bearer " + server.token("mallory"));
            List<RawWebSocket> encoded = new ArrayList<>();
            try {
                for (String path : List.of("/ws/%63onnect", "/ws/%63onnect?room_id=general", "/%77s/connect/")) {
                    RawWebSocket ws = RawWebSocket.open(server.port(), path, auth);
                    encoded.add(ws);
                    assertThat(ws.handshake().status()).as(path + " is answered, not left holding a slot")
                            .isEqualTo(101);
                }
                Http.Response stats = server.http().get("/ws/stats", server.token("ops"));
                assertThat(stats.data().path("total_connections").asInt()).as("counted where slots are counted")
                        .isEqualTo(3);
                try (RawWebSocket full = RawWebSocket.open(server.port(), "/ws/connect", auth)) {
                    assertThat(full.handshake().status()).isEqualTo(503);
                }
            } finally {
                for (RawWebSocket ws : encoded) {
                    ws.close();
                }
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (WsClient next = server.connect("alice", "general")) {
                    assertThat(next.isClosed()).isFalse();
                }
            });
        }
    }

    @Test
    void malformedEscapesAreRefusedWithoutAStackTrace() throws Exception {
        try (TestServer server = TestServer.start();
             LogCapture gate = LogCapture.of(HttpGateHandler.class);
             LogCapture router = LogCapture.of(dev.relay.server.http.Router.class)) {
            for (int i = 0; i < 500; i++) {
                String target = i % 2 == 0 ? "/%zz" : "/ws/rooms?limit=%zz";
                assertThat(rawGet(server.port(), target)).as(target).startsWith("HTTP/1.1 400");
            }
            assertThat(gate.events()).noneMatch(event -> event.getThrowableProxy() != null);
            assertThat(router.events()).noneMatch(event -> event.getThrowableProxy() != null);
            assertThat(gate.events()).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
            assertThat(server.http().get("/health/live", null).status()).isEqualTo(200);
        }
    }

    @Test
    void aUserIdInAnAdminPathIsDecodedOnce() throws Exception {
        try (TestServer server = TestServer.start();
             WsClient xAy = server.connect("xAy", "general")) {
            String admin = server.adminToken("ops");

            Http.Response literal = server.http().send("DELETE", "/ws/users/x%2541y/connections", admin, null);
            assertThat(literal.status()).isEqualTo(200);
            assertThat(literal.data().path("user_id").asText()).isEqualTo("x%41y");
            assertThat(literal.data().path("connections").asInt()).as("not xAy").isZero();
            assertThat(xAy.isClosed()).isFalse();

            Http.Response escaped = server.http().send("DELETE", "/ws/users/x%41y/connections", admin, null);
            assertThat(escaped.data().path("connections").asInt()).isEqualTo(1);
            assertThat(xAy.awaitClose().code()).isEqualTo(4403);
        }
    }

    /** One request on its own socket; the status line, or what came before the socket closed. */
    static String rawGet(int port, String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
