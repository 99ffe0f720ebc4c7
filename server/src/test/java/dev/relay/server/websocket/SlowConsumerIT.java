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
            // Closing takes the connection out of its rooms first and out of the count a moment later.
            await().atMost(Duration.ofSeconds(2)).untilAsserted(
                    () -> assertThat(server.service().hub().queries().connections()).isEqualTo(1));
        }
    }

    @Test
    void manyStalledReadersAreAllClosedAndHoldOnlySharedMemory() throws Exception {
        int stalledCount = 40;
        try (TestServer server = TestServer.start(Map.of("write_wait", "300ms", "max_pending_bytes", "256KiB",
                "max_message_length", String.valueOf(CONTENT_CHARS + 10), "max_connections", "100"));
             WsClient healthy = server.connect("healthy", "support")) {
            java.util.List<RawWebSocket> stalled = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < stalledCount; i++) {
                    RawWebSocket raw = RawWebSocket.open(server.port(),
                            "/ws/connect?room_id=support&token=" + server.token("stalled-" + i), Map.of());
                    assertThat(raw.handshake().status()).isEqualTo(101);
                    stalled.add(raw);
                }
                await().until(() -> clientsIn(server, "support") == stalledCount + 1);
                io.netty.buffer.PooledByteBufAllocatorMetric direct = io.netty.buffer.PooledByteBufAllocator.DEFAULT.metric();
                long peak = 0;
                String body = "y".repeat(CONTENT_CHARS - 4);
                for (int i = 0; i < MESSAGES; i++) {
                    server.service().publishToRoom("support", String.format("%04d", i) + body);
                    assertThat(healthy.awaitType("room_message").path("content").asText())
                            .startsWith(String.format("%04d", i));
                    peak = Math.max(peak, direct.usedDirectMemory());
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> clientsIn(server, "support") == 1);
                // 10 MB went to each of 40 readers. Copies per reader would need 400 MB; shared frames, bounded per
                // connection, keep the server's buffers to a few of the hard limits (4 x 256 KiB) however many stall.
                assertThat(peak).as("peak pooled direct memory, bytes").isLessThan(48L * 1024 * 1024);
                var stats = server.http().get("/ws/stats", server.token("ops"));
                assertThat(stats.data().path("slow_consumers").asLong()).isEqualTo(stalledCount);
            } finally {
                for (RawWebSocket raw : stalled) {
                    raw.close();
                }
            }
        }
    }

    private static int clientsIn(TestServer server, String roomId) {
        return server.service().hub().queries().roomInfos().stream()
                .filter(room -> room.id().equals(roomId)).mapToInt(RoomInfo::clientCount).findFirst().orElse(-1);
    }
}
