package dev.relay.server.websocket;

import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * RFC 6455: once an endpoint has sent a close frame it sends no more data frames. Checked on the wire, byte by byte,
 * while the room the client is in keeps receiving messages: after the client's own close, and after the server's.
 */
class CloseFrameOrderIT {
    private static final int CLOSE = 0x8;
    private static final int TEXT = 0x1;

    private TestServer server;
    private final AtomicBoolean publishing = new AtomicBoolean(true);
    private Thread publisher;

    /** Starts the server and a thread that keeps publishing to room support until the test ends. */
    private void busyRoom(Map<String, String> settings, String content) {
        server = TestServer.start(settings);
        publisher = Thread.ofPlatform().name("flood").start(() -> {
            for (int i = 0; publishing.get(); i++) {
                try {
                    server.service().publishToRoom("support", i + " " + content);
                } catch (RuntimeException refused) {
                    // a full lane refuses; the flood goes on
                }
                if (i % 50 == 0) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        publishing.set(false);
        if (publisher != null) {
            publisher.join();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void afterTheClientsCloseTheServerAnswersWithItsCloseAndThenNothing() throws Exception {
        busyRoom(Map.of("enable_rate_limit", "false"), "message");
        try (RawWebSocket client = subscriber("leaving")) {
            readDataFrames(client, 100);
            client.sendFrame(CLOSE, ByteBuffer.allocate(2).putShort((short) 1000).array(), true);

            List<RawWebSocket.Frame> rest = readToTheEnd(client);
            assertThat(rest).as("frames after the client's close").isNotEmpty();
            assertThat(rest.getLast().opcode()).as("the last frame is the close answer").isEqualTo(CLOSE);
            assertThat(rest.stream().filter(f -> f.opcode() == CLOSE)).hasSize(1);
        }
    }

    @Test
    void afterTheServersCloseNothingFollowsEvenWhileTheRoomIsBusy() throws Exception {
        busyRoom(Map.of("enable_rate_limit", "false"), "message");
        try (RawWebSocket client = subscriber("kicked")) {
            readDataFrames(client, 100);
            var answer = server.http().send("DELETE", "/ws/users/kicked/connections", server.adminToken("ops"),
                    "{\"reason\":\"test\"}");
            assertThat(answer.status()).isEqualTo(200);

            List<RawWebSocket.Frame> rest = readToTheEnd(client);
            RawWebSocket.Frame last = rest.getLast();
            assertThat(last.opcode()).as("the last frame is the server's close").isEqualTo(CLOSE);
            assertThat(last.closeCode()).isEqualTo(4403);
            assertThat(rest.stream().filter(f -> f.opcode() == CLOSE)).hasSize(1);
        }
    }

    /**
     * The hardest case: the server gives up on a reader that fell behind in the middle of writing a batch of the
     * room's messages to it, and the rest of that batch must not follow the close frame. The reader then reads
     * everything the server still sends, within the second a closing connection gets to take its close frame.
     */
    @Test
    void aSlowConsumersCloseFrameIsTheLastFrameItGets() throws Exception {
        busyRoom(Map.of("enable_rate_limit", "false", "max_pending_bytes", "64KiB", "write_wait", "30s",
                "max_message_length", "5000"), "y".repeat(4000));
        try (RawWebSocket client = subscriber("behind")) {
            readDataFrames(client, 10);
            // Reads nothing more until the server has closed it as a slow consumer; then at once, since a closing
            // connection gets a second to take its close frame before the socket is cut.
            String ops = server.adminToken("ops");
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() ->
                    server.http().get("/ws/stats", ops).data().path("slow_consumers").asLong() == 1);

            List<RawWebSocket.Frame> rest = readToTheEnd(client);
            RawWebSocket.Frame last = rest.getLast();
            assertThat(last.opcode()).as("the last frame is the server's close").isEqualTo(CLOSE);
            assertThat(last.closeCode()).isEqualTo(4008);
            assertThat(rest.stream().filter(f -> f.opcode() == CLOSE)).hasSize(1);
        }
    }

    private RawWebSocket subscriber(String user) throws Exception {
        RawWebSocket client = RawWebSocket.open(server.port(),
                "/ws/connect?room_id=support&token=" + server.token(user), Map.of());
        assertThat(client.handshake().status()).isEqualTo(101);
        client.setReadTimeoutMillis(5000);
        return client;
    }

    /** Reads until {@code count} room messages have arrived: the room's traffic reaches this client. */
    private static void readDataFrames(RawWebSocket client, int count) throws Exception {
        int seen = 0;
        while (seen < count) {
            RawWebSocket.Frame frame = client.readFrame();
            assertThat(frame).as("a frame while the room is busy").isNotNull();
            if (frame.opcode() == TEXT && frame.text().contains("\"room_message\"")) {
                seen++;
            }
        }
    }

    /** Every frame until the server ends the connection (or is silent for the read timeout). */
    private static List<RawWebSocket.Frame> readToTheEnd(RawWebSocket client) throws Exception {
        List<RawWebSocket.Frame> frames = new ArrayList<>();
        RawWebSocket.Frame frame;
        while ((frame = client.readFrame()) != null) {
            frames.add(frame);
        }
        return frames;
    }
}
