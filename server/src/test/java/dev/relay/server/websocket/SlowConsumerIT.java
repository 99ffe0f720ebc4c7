package dev.relay.server.websocket;

import dev.relay.core.room.RoomInfo;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A client that stops reading is cut off after write_wait; the others get every message, in order. */
class SlowConsumerIT {
    private static final int MESSAGES = 200;
    private static final int CONTENT_CHARS = 50_000;

    @Test
    void aStalledReaderIsClosedWhileAHealthyOneReceivesEverything() throws Exception {
        try (TestServer server = TestServer.start(Map.of("write_wait", "300ms",
                "max_message_length", String.valueOf(CONTENT_CHARS + 10)));
             WsClient healthy = server.connect("healthy", "support");
             RawWebSocket stalled = RawWebSocket.open(server.port(),
                     "/ws/connect?room_id=support&token=" + server.token("stalled"), Map.of())) {
            assertThat(stalled.handshake().status()).isEqualTo(101);
            await().until(() -> clientsIn(server, "support") == 2);

            String body = "x".repeat(CONTENT_CHARS - 4);
            // Paced by the healthy reader: it never has more than one message in flight, the stalled one has all.
            for (int i = 0; i < MESSAGES; i++) {
                server.service().publishToRoom("support", String.format("%04d", i) + body);
                String content = healthy.awaitType("room_message").path("content").asText();
                assertThat(content).startsWith(String.format("%04d", i));
            }
            // ~10 MB were sent to a socket nobody reads: the server must have given up on it.
            await().atMost(Duration.ofSeconds(10)).until(() -> clientsIn(server, "support") == 1);
            assertThat(server.service().hub().connections()).isEqualTo(1);
        }
    }

    private static int clientsIn(TestServer server, String roomId) {
        return server.service().hub().roomInfos().stream()
                .filter(room -> room.id().equals(roomId)).mapToInt(RoomInfo::clientCount).findFirst().orElse(-1);
    }
}
