package dev.relay.server.websocket;

import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6455 rules Netty's handlers let through: reserved bits with no extension negotiated, close codes a peer may not
 * send. Each is refused with 1002, and every close, the server's or the client's, is answered with exactly one close
 * frame.
 */
class FrameRulesIT {
    private static final int TEXT = 0x1;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final byte[] PING_MESSAGE = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of()); // compression on (the default): Netty then lets reserved bits through
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "RSV bits {0}")
    @ValueSource(ints = {1, 2, 4, 7})
    void aDataFrameWithReservedBitsAndNoExtensionClosesWith1002(int rsv) throws Exception {
        try (RawWebSocket client = connect("rsv-text-" + rsv)) {
            client.sendFrameWithReservedBits(TEXT, rsv, PING_MESSAGE, true);
            List<RawWebSocket.Frame> closes = closeFrames(client);
            assertThat(closes).extracting(RawWebSocket.Frame::closeCode).containsExactly(1002);
        }
    }

    @Test
    void aPingWithReservedBitsClosesWith1002() throws Exception {
        try (RawWebSocket client = connect("rsv-ping")) {
            client.sendFrameWithReservedBits(PING, 4, new byte[0], true);
            assertThat(closeFrames(client)).extracting(RawWebSocket.Frame::closeCode).containsExactly(1002);
        }
    }

    @Test
    void aFrameWithoutReservedBitsStillWorks() throws Exception {
        try (RawWebSocket client = connect("plain")) {
            client.sendFrame(TEXT, PING_MESSAGE, true);
            assertThat(client.awaitType("pong")).isNotNull();
        }
    }

    @ParameterizedTest(name = "close code {0}")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535})
    void aCloseCodeAPeerMayNotSendIsAnsweredWithOne1002(int code) throws Exception {
        try (RawWebSocket client = connect("bad-close-" + code)) {
            client.sendFrame(CLOSE, new byte[] {(byte) (code >>> 8), (byte) code}, true);
            assertThat(closeFrames(client)).extracting(RawWebSocket.Frame::closeCode).containsExactly(1002);
        }
    }

    @ParameterizedTest(name = "close code {0}")
    @ValueSource(ints = {1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999})
    void aValidCloseCodeIsEchoedOnce(int code) throws Exception {
        try (RawWebSocket client = connect("good-close-" + code)) {
            client.sendFrame(CLOSE, new byte[] {(byte) (code >>> 8), (byte) code}, true);
            assertThat(closeFrames(client)).extracting(RawWebSocket.Frame::closeCode).containsExactly(code);
        }
    }

    @Test
    void aCloseWithoutACodeIsAnsweredOnce() throws Exception {
        try (RawWebSocket client = connect("empty-close")) {
            client.sendFrame(CLOSE, new byte[0], true);
            assertThat(closeFrames(client)).hasSize(1);
        }
    }

    @Test
    void aProtocolViolationNettyFindsIsAnsweredWithOneCloseFrame() throws Exception {
        try (RawWebSocket client = connect("fragmented-ping")) {
            client.sendFrame(PING, new byte[0], false); // control frames must not be fragmented
            assertThat(closeFrames(client)).extracting(RawWebSocket.Frame::closeCode).containsExactly(1002);
        }
    }

    private static RawWebSocket connect(String user) throws IOException {
        RawWebSocket client = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token(user), Map.of());
        assertThat(client.handshake().status()).isEqualTo(101);
        client.awaitType("welcome");
        return client;
    }

    /** Every close frame the server sends until it ends the connection. */
    private static List<RawWebSocket.Frame> closeFrames(RawWebSocket client) throws IOException {
        client.setReadTimeoutMillis(3_000);
        List<RawWebSocket.Frame> closes = new ArrayList<>();
        RawWebSocket.Frame frame;
        while ((frame = client.readFrame()) != null) {
            if (frame.opcode() == CLOSE) {
                closes.add(frame);
            }
        }
        assertThat(client.endedByServer()).as("the server ended the connection").isTrue();
        return closes;
    }
}
