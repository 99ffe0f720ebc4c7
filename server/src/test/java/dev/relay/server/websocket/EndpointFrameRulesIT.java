package dev.relay.server.websocket;

import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FrameRulesIT}'s RFC 6455 rules on the other protocols' endpoints, STOMP ({@code /ws/stomp}) and Socket.IO
 * ({@code /socket.io/}): reserved bits and close codes a peer may not send are answered with one 1002 close frame;
 * a valid close code is echoed once.
 */
class EndpointFrameRulesIT {
    private static final int TEXT = 0x1;
    private static final int CLOSE = 0x8;

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of()); // compression on (the default): Netty then lets reserved bits through
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stomp", "socketio"})
    void aDataFrameWithReservedBitsClosesWith1002(String protocol) throws Exception {
        try (RawWebSocket client = connect(protocol)) {
            client.sendFrameWithReservedBits(TEXT, 4, "2".getBytes(StandardCharsets.UTF_8), true);
            assertThat(closeFrames(client)).extracting(RawWebSocket.Frame::closeCode).containsExactly(1002);
        }
    }

    @ParameterizedTest(name = "{0} close code {1}")
    @CsvSource({"stomp,1004", "stomp,5000", "stomp,65535", "socketio,1015", "socketio,5000", "socketio,65535"})
    void aCloseCodeAPeerMayNotSendIsAnsweredWithOne1002(String protocol, int code) throws Exception {
        try (RawWebSocket client = connect(protocol)) {
            client.sendFrame(CLOSE, new byte[] {(byte) (code >>> 8), (byte) code}, true);
            assertThat(closeFrames(client)).extracting(RawWebSocket.Frame::closeCode).containsExactly(1002);
        }
    }

    @ParameterizedTest(name = "{0} close code {1}")
    @CsvSource({"stomp,1000", "stomp,4999", "socketio,1000", "socketio,3000"})
    void aValidCloseCodeIsEchoedOnce(String protocol, int code) throws Exception {
        try (RawWebSocket client = connect(protocol)) {
            client.sendFrame(CLOSE, new byte[] {(byte) (code >>> 8), (byte) code}, true);
            assertThat(closeFrames(client)).extracting(RawWebSocket.Frame::closeCode).containsExactly(code);
        }
    }

    private static RawWebSocket connect(String protocol) throws IOException {
        RawWebSocket client = protocol.equals("stomp")
                ? RawWebSocket.open(server.port(), "/ws/stomp", Map.of("Sec-WebSocket-Protocol", "v12.stomp"))
                : RawWebSocket.open(server.port(), "/socket.io/?EIO=4&transport=websocket", Map.of());
        assertThat(client.handshake().status()).isEqualTo(101);
        if (protocol.equals("socketio")) {
            assertThat(client.readFrame().text()).as("Engine.IO's open packet").startsWith("0{");
        }
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
