package dev.relay.server.websocket;

import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** ping_period and pong_wait: a silent client is dropped, a live one is kept. */
class HeartbeatIT {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("ping_period", "200ms", "pong_wait", "300ms"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aClientThatNeverAnswersIsPingedThenClosedWithHeartbeatTimeout() throws Exception {
        try (RawWebSocket silent = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token("mute"),
                Map.of())) {
            assertThat(silent.handshake().status()).isEqualTo(101);
            boolean sawPing = false;
            RawWebSocket.Frame frame;
            while ((frame = silent.readFrame()) != null && frame.opcode() != 0x8) {
                sawPing |= frame.opcode() == 0x9;
            }
            assertThat(sawPing).as("the server pinged").isTrue();
            assertThat(frame).as("the server sent a close frame").isNotNull();
            assertThat(frame.closeCode()).isEqualTo(4000);
        }
    }

    @Test
    void aClientThatAnswersPingsStaysConnectedAcrossManyPeriods() throws Exception {
        // Pings every 100 ms, but a generous pong_wait: a loaded CI machine may answer slowly, not never.
        try (TestServer patient = TestServer.start(Map.of("ping_period", "100ms", "pong_wait", "3s"));
             WsClient live = patient.connect("lively", "general")) {
            live.awaitType("user_joined");
            Thread.sleep(1500); // fifteen ping periods go by
            assertThat(live.isClosed()).isFalse();
            live.send(Map.of("type", "ping"));
            assertThat(live.expectType("pong")).isNotNull();
        }
    }
}
