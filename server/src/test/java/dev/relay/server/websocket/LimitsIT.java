package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every limit on a client's input, tested at the limit and one past it. */
class LimitsIT {
    private static final int MAX_FRAME = 1024;
    private static final int MAX_LENGTH = 10;
    private static final int PER_MINUTE = 5;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "max_message_size", String.valueOf(MAX_FRAME),
                "max_message_length", String.valueOf(MAX_LENGTH)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aMessageOfExactlyMaxMessageSizeBytesIsAccepted() throws Exception {
        try (RawWebSocket ws = open("size-ok")) {
            ws.sendText(messageOfBytes(MAX_FRAME));
            JsonNode message = ws.awaitType("room_message");
            assertThat(message.path("from").asText()).isEqualTo("size-ok");
        }
    }

    @Test
    void oneByteMoreClosesTheConnectionWith1009() throws Exception {
        try (RawWebSocket ws = open("size-big")) {
            ws.sendText(messageOfBytes(MAX_FRAME + 1));
            RawWebSocket.Frame close = ws.awaitClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1009);
        }
    }

    @Test
    void aFragmentedMessageIsLimitedAsAWhole() throws Exception {
        try (RawWebSocket ws = open("size-fragments")) {
            byte[] half = new byte[MAX_FRAME / 2 + 1];
            java.util.Arrays.fill(half, (byte) 'x');
            ws.sendFrame(0x1, half, false);
            ws.sendFrame(0x0, half, true);
            RawWebSocket.Frame close = ws.awaitClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1009);
        }
    }

    @Test
    void contentOfMaxMessageLengthCharactersPassesAndOneMoreIsRefused() {
        try (WsClient client = server.connect("length", "general")) {
            String atLimit = "汉".repeat(MAX_LENGTH - 1) + "😀"; // a surrogate pair is one character
            client.send(Map.of("type", "room_message", "room_id", "general", "content", atLimit));
            assertThat(client.awaitType("room_message").path("content").asText()).isEqualTo(atLimit);

            client.send(Map.of("type", "room_message", "room_id", "general", "content", atLimit + "!", "id", "long"));
            JsonNode error = client.expectType("error");
            assertThat(error.path("data").path("code").asText()).isEqualTo("message_too_long");
            assertThat(error.path("data").path("ref").asText()).isEqualTo("long");
            assertThat(client.isClosed()).isFalse();
        }
    }

    @Test
    void rateLimitAdmitsThePerMinuteBudgetThenRefuses() {
        try (TestServer limited = TestServer.start(Map.of("rate_limit_per_minute", String.valueOf(PER_MINUTE)));
             WsClient client = limited.connect("chatty", "general")) {
            client.awaitType("user_joined");
            for (int i = 0; i < PER_MINUTE; i++) {
                client.send(Map.of("type", "room_message", "room_id", "general", "content", "m" + i));
                assertThat(client.expectType("room_message").path("content").asText()).isEqualTo("m" + i);
            }
            client.send(Map.of("type", "room_message", "room_id", "general", "content", "one too many", "id", "x"));
            JsonNode error = client.expectType("error");
            assertThat(error.path("data").path("code").asText()).isEqualTo("rate_limited");
            assertThat(error.path("data").path("ref").asText()).isEqualTo("x");
        }
    }

    @Test
    void withRateLimitOffTheBudgetDoesNotApply() {
        try (TestServer unlimited = TestServer.start(Map.of("rate_limit_per_minute", "1", "enable_rate_limit", "false"));
             WsClient client = unlimited.connect("free", "general")) {
            client.awaitType("user_joined");
            for (int i = 0; i < 3; i++) {
                client.send(Map.of("type", "room_message", "room_id", "general", "content", "m" + i));
                assertThat(client.expectType("room_message").path("content").asText()).isEqualTo("m" + i);
            }
        }
    }

    private static RawWebSocket open(String user) throws Exception {
        RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token(user), Map.of());
        assertThat(ws.handshake().status()).isEqualTo(101);
        ws.awaitType("user_joined");
        return ws;
    }

    /** A room message to general whose JSON is exactly {@code bytes} long. */
    private static String messageOfBytes(int bytes) {
        String prefix = "{\"type\":\"room_message\",\"room_id\":\"general\",\"data\":{\"pad\":\"";
        String suffix = "\"},\"content\":\"x\"}";
        int padding = bytes - prefix.length() - suffix.length();
        String message = prefix + "p".repeat(padding) + suffix;
        assertThat(message.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        return message;
    }
}
