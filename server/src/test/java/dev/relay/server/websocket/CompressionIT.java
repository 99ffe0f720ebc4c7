package dev.relay.server.websocket;

import dev.relay.server.testing.DeflateClient;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate: a client that offers it (Netty's, as browsers do) gets compressed frames it can read, side by
 * side with a client that does not offer it and gets the shared pre-encoded frames. And every limit holds for the
 * inflated message: max_message_size counts inflated bytes, a compressed message past it closes its sender with
 * 1009 before it is inflated any further, and the other members of the room notice nothing.
 */
class CompressionIT {
    private static final int MAX = 8192;
    /** RSV1 in a frame's first byte: "this message is compressed" (RFC 7692). */
    private static final int RSV1 = 0x40;
    private static final int TEXT = 0x1;
    private static final int CONTINUATION = 0x0;
    private static final Map<String, String> SETTINGS = Map.of("enable_compression", "true",
            "max_message_size", String.valueOf(MAX));
    private static final Map<String, String> OFFER = Map.of("Sec-WebSocket-Extensions", "permessage-deflate");

    @Test
    void compressingAndPlainClientsBothReadTheSameRoomMessages() throws Exception {
        try (TestServer server = TestServer.start(Map.of("enable_compression", "true"));
             WsClient plain = server.connect("plain", "general");
             DeflateClient deflater = DeflateClient.connect(server.connectUri("general", server.token("deflater")))) {
            assertThat(deflater.awaitType("welcome").path("type").asText()).isEqualTo("welcome");
            assertThat(deflater.negotiated()).contains("Deflate");

            String expected = "squeeze me ".repeat(50);
            plain.send(Map.of("type", "room_message", "room_id", "general", "content", expected));
            assertThat(plain.awaitType("room_message").path("content").asText()).isEqualTo(expected);
            assertThat(deflater.awaitType("room_message").path("content").asText()).isEqualTo(expected);

            deflater.send("{\"type\":\"room_message\",\"room_id\":\"general\",\"content\":\"from deflate\"}");
            assertThat(plain.awaitType("room_message").path("content").asText()).isEqualTo("from deflate");
        }
    }

    @Test
    void theServerDropsItsCompressionContextAfterEachMessage() throws Exception {
        try (TestServer server = TestServer.start(SETTINGS);
             RawWebSocket raw = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token("offer"), OFFER)) {
            assertThat(raw.handshake().status()).isEqualTo(101);
            assertThat(raw.handshake().headers().get("sec-websocket-extensions"))
                    .contains("permessage-deflate").contains("server_no_context_takeover");
        }
    }

    @Test
    void aCompressedMessageOfExactlyMaxMessageSizeInflatedBytesIsDeliveredAndOneMoreCloses1009() {
        try (TestServer server = TestServer.start(SETTINGS);
             WsClient member = server.connect("member", "general");
             DeflateClient sender = DeflateClient.connect(server.connectUri("general", server.token("sender")))) {
            assertThat(sender.negotiated()).contains("Deflate");
            member.awaitType("user_joined");

            String atLimit = messageOfBytes(MAX, "at-limit");
            sender.send(atLimit);
            assertThat(member.awaitType("room_message").path("content").asText()).isEqualTo("at-limit");

            sender.send(messageOfBytes(MAX + 1, "one-over"));
            assertThat(sender.awaitCloseCode()).isEqualTo(1009);

            assertThat(member.isClosed()).isFalse();
            assertThat(member.drain(java.time.Duration.ofMillis(300)))
                    .noneMatch(message -> message.toString().contains("one-over"));
        }
    }

    @Test
    void aCompressedMebibyteClosesItsSenderWith1009AndDisturbsNobody() throws Exception {
        try (TestServer server = TestServer.start(SETTINGS);
             WsClient first = server.connect("first", "general");
             WsClient second = server.connect("second", "general");
             DeflateClient bomber = DeflateClient.connect(server.connectUri("general", server.token("bomber")))) {
            first.awaitType("user_joined");
            bomber.send(messageOfBytes(1024 * 1024, "bomb")); // deflates to about a kilobyte
            assertThat(bomber.awaitCloseCode()).isEqualTo(1009);

            // A raw frame of 8 MiB of zeros in under 8 KiB: refused at the limit, not inflated first.
            byte[] zeros = deflate(new byte[8 * 1024 * 1024]);
            assertThat(zeros.length).isLessThanOrEqualTo(MAX);
            try (RawWebSocket raw = openCompressing(server, "zeros")) {
                raw.sendFrame(RSV1 | TEXT, zeros, true);
                assertThat(raw.awaitClose().closeCode()).isEqualTo(1009);
                RawWebSocket.Frame after;
                while ((after = raw.readFrame()) != null) {
                    assertThat(after.opcode()).as("a frame after the close frame").isNotEqualTo(0x8);
                }
            }

            assertStillServed(server, first, second);
        }
    }

    @Test
    void aFragmentedCompressedMessageIsLimitedAsAWholeAfterInflating() throws Exception {
        try (TestServer server = TestServer.start(SETTINGS);
             WsClient member = server.connect("member", "general");
             RawWebSocket exact = openCompressing(server, "exact");
             RawWebSocket over = openCompressing(server, "over")) {
            sendInThreeFrames(exact, deflate(messageOfBytes(MAX, "three-frames").getBytes(StandardCharsets.UTF_8)));
            assertThat(member.awaitType("room_message").path("content").asText()).isEqualTo("three-frames");

            sendInThreeFrames(over, deflate(messageOfBytes(MAX + 1, "too-many").getBytes(StandardCharsets.UTF_8)));
            assertThat(over.awaitClose().closeCode()).isEqualTo(1009);
            assertThat(member.drain(java.time.Duration.ofMillis(300)))
                    .noneMatch(message -> message.toString().contains("too-many"));
            assertThat(member.isClosed()).isFalse();
        }
    }

    /**
     * Random bytes, truncated deflate streams and bombs, each as a compressed message on its own connection: each
     * sender is closed (or its message refused with an error frame), and the members of the room are never touched.
     */
    @Test
    void garbageTruncatedAndBombFramesCloseOnlyTheirSender() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(0xDEF1A7EL);
        try (TestServer server = TestServer.start(SETTINGS);
             WsClient first = server.connect("first", "general");
             WsClient second = server.connect("second", "general")) {
            first.awaitType("user_joined");
            int closed = 0;
            for (int i = 0; i < 45; i++) {
                byte[] payload = switch (i % 3) {
                    case 0 -> randomBytes(random, 1 + random.nextInt(MAX));
                    case 1 -> {
                        byte[] whole = deflate(messageOfBytes(100 + random.nextInt(MAX - 100), "cut").getBytes(
                                StandardCharsets.UTF_8));
                        yield Arrays.copyOf(whole, random.nextInt(whole.length));
                    }
                    default -> deflate(("{\"type\":\"room_message\",\"room_id\":\"general\",\"data\":\""
                            + "b".repeat(MAX + random.nextInt(4 * 1024 * 1024)) + "\"}").getBytes(StandardCharsets.UTF_8));
                };
                try (RawWebSocket raw = openCompressing(server, "fuzz-" + i)) {
                    raw.setReadTimeoutMillis(1000);
                    raw.sendFrame(RSV1 | TEXT, payload, true);
                    RawWebSocket.Frame close = raw.awaitClose();
                    if (close != null) {
                        closed++;
                        assertThat(close.closeCode()).as("case %d", i).isIn(1002, 1007, 1009);
                    } // else it inflated to something the decoder answered with an error frame
                }
            }
            assertThat(closed).as("bombs and most garbage close their sender").isGreaterThanOrEqualTo(15);
            assertStillServed(server, first, second);
        }
    }

    /** The members are connected, hear each other, and nothing of the senders' reached them. */
    private static void assertStillServed(TestServer server, WsClient first, WsClient second) {
        first.send(Map.of("type", "room_message", "room_id", "general", "content", "still here"));
        assertThat(second.awaitType("room_message").path("content").asText()).isEqualTo("still here");
        assertThat(first.isClosed()).isFalse();
        assertThat(second.isClosed()).isFalse();
        assertThat(server.http().get("/health/live", null).status()).isEqualTo(200);
    }

    private static RawWebSocket openCompressing(TestServer server, String user) throws Exception {
        RawWebSocket raw = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token(user), OFFER);
        assertThat(raw.handshake().status()).isEqualTo(101);
        assertThat(raw.handshake().headers().get("sec-websocket-extensions")).contains("permessage-deflate");
        return raw;
    }

    private static void sendInThreeFrames(RawWebSocket raw, byte[] deflated) throws Exception {
        int third = deflated.length / 3;
        raw.sendFrame(RSV1 | TEXT, Arrays.copyOfRange(deflated, 0, third), false);
        raw.sendFrame(CONTINUATION, Arrays.copyOfRange(deflated, third, 2 * third), false);
        raw.sendFrame(CONTINUATION, Arrays.copyOfRange(deflated, 2 * third, deflated.length), true);
    }

    /** A message as a permessage-deflate sender writes it: raw deflate, flushed, without the 4-byte tail. */
    static byte[] deflate(byte[] message) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(message);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[64 * 1024];
            int written;
            do {
                written = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
                out.write(chunk, 0, written);
            } while (written == chunk.length || !deflater.needsInput());
            byte[] flushed = out.toByteArray();
            return Arrays.copyOf(flushed, flushed.length - 4); // RFC 7692 7.2.1: drop 00 00 ff ff
        } finally {
            deflater.end();
        }
    }

    private static byte[] randomBytes(java.util.SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** A room message to general whose JSON is exactly {@code bytes} long, with {@code content} as its content. */
    private static String messageOfBytes(int bytes, String content) {
        String prefix = "{\"type\":\"room_message\",\"room_id\":\"general\",\"data\":{\"pad\":\"";
        String suffix = "\"},\"content\":\"" + content + "\"}";
        String message = prefix + "p".repeat(bytes - prefix.length() - suffix.length()) + suffix;
        assertThat(message.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        return message;
    }
}
