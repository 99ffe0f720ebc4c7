package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.identity.UserIds;
import dev.relay.core.policy.MessageRules;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.codec.JsonCodec;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a client sends, the decoder and the validators answer with a message or a {@link ProtocolException}
 * (an error frame with a code): never another exception, which would reach the event loop as a bug. Compressed
 * frames (random, truncated, bombs, fragmented) inflate within max_message_size or close their connection with
 * 1002, 1007 or 1009, release every buffer, and never allocate past the limit. Inputs come from a seeded
 * generator, so a failure names the seed and iteration that reproduce it.
 */
class DecoderFuzzTest {
    private static final long SEED = 0x5EED_2026L;
    private static final String[] JSON_PIECES = {"{", "}", "[", "]", ":", ",", "\"type\"", "\"room_message\"",
            "\"data\"", "\"content\"", "\"to\"", "\"id\"", "\"resume\"", "\"refresh\"", "\"since\"", "1", "-1",
            "1e999", "null", "true", "\"\\u0000\"", "\"😀\"", "\"\\ud800\"", " ", "\"room_id\"", "\"general\""};

    private final JsonCodec codec = new JsonCodec(new ObjectMapper(), PooledByteBufAllocator.DEFAULT);
    private final MessageRules rules = new MessageRules(1000);

    @Test
    void arbitraryBytesDecodeOrFailWithACode() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            for (int b = 0; b < bytes.length; b++) {
                bytes[b] = (byte) random.nextInt(256);
            }
            assertDecodesOrRefuses(bytes, "bytes #" + i);
        }
    }

    @Test
    void arbitraryJsonLikeTextDecodesOrFailsWithACode() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder();
            for (int p = random.nextInt(40); p > 0; p--) {
                text.append(JSON_PIECES[random.nextInt(JSON_PIECES.length)]);
            }
            assertDecodesOrRefuses(text.toString().getBytes(StandardCharsets.UTF_8), "text #" + i + ": " + text);
        }
    }

    @Test
    void nestingOfAnyDepthIsBoundedAndNeverEscapes() {
        for (int depth = 1; depth <= 3000; depth += depth < 40 ? 1 : 97) {
            String message = "{\"type\":\"room_message\",\"room_id\":\"r\",\"data\":" + "[".repeat(depth)
                    + "]".repeat(depth) + "}";
            ClientMessage decoded = decodeOrNull(message.getBytes(StandardCharsets.UTF_8), "depth " + depth);
            assertThat(decoded != null).as("depth %d decodes", depth).isEqualTo(depth <= JsonCodec.MAX_DATA_DEPTH);
        }
    }

    @Test
    void theUserIdRuleNeverThrowsAndBoundsWhatItAccepts() {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        for (int i = 0; i < 3000; i++) {
            StringBuilder id = new StringBuilder();
            for (int c = random.nextInt(140); c > 0; c--) {
                id.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x110000) : 0x20 + random.nextInt(0x5f));
            }
            String candidate = id.toString();
            if (UserIds.isValid(candidate)) {
                assertThat(candidate.codePointCount(0, candidate.length())).isBetween(1, UserIds.MAX_LENGTH);
                assertThat(candidate.codePoints().noneMatch(Character::isWhitespace)).as(candidate).isTrue();
            }
        }
    }

    private void assertDecodesOrRefuses(byte[] bytes, String what) {
        ClientMessage decoded = decodeOrNull(bytes, what);
        if (decoded != null) {
            try {
                rules.checkBody(decoded);
                if (decoded.roomId() != null) {
                    rules.requireRoomId(decoded);
                }
            } catch (ProtocolException refused) {
                assertThat(refused.code()).as(what).isNotNull();
            }
        }
    }

    /** The decoded message, or null when it was refused with a code; any other exception fails the test. */
    private ClientMessage decodeOrNull(byte[] bytes, String what) {
        try {
            ClientMessage fromFrame = codec.decode(Unpooled.wrappedBuffer(bytes));
            ClientMessage fromRest = codec.decode(bytes);
            assertThat(fromRest).as(what).isEqualTo(fromFrame);
            return fromFrame;
        } catch (ProtocolException refused) {
            assertThat(refused.code()).as(what).isNotNull();
            assertThat(refused.getMessage()).as(what).isNotBlank();
            return null;
        }
    }

    @Test
    void compressedFramesInflateWithinTheLimitOrCloseTheirConnectionAndLeakNothing() {
        SplittableRandom random = new SplittableRandom(SEED + 3);
        int limit = 4096;
        int refused = 0;
        for (int i = 0; i < 1500; i++) {
            byte[] deflated = switch (i % 4) {
                case 0 -> randomBytes(random, random.nextInt(600));
                case 1 -> { // a real message cut short
                    byte[] whole = CompressionIT.deflate(randomText(random, random.nextInt(2 * limit)));
                    yield Arrays.copyOf(whole, random.nextInt(whole.length + 1));
                }
                case 2 -> CompressionIT.deflate(new byte[limit + random.nextInt(2 * 1024 * 1024)]); // a bomb
                default -> CompressionIT.deflate(randomText(random, random.nextInt(limit + 2))); // around the limit
            };
            refused += feedCompressed(deflated, 1 + random.nextInt(4), limit, "compressed #" + i) ? 0 : 1;
        }
        assertThat(refused).as("the bombs at least are refused").isGreaterThanOrEqualTo(375);
    }

    @Test
    void aCompressedMessageOfExactlyTheLimitInflatesAndOneByteMoreIsRefusedInEveryFraming() {
        int limit = 4096;
        for (int frames = 1; frames <= 5; frames++) {
            byte[] atLimit = new byte[limit];
            Arrays.fill(atLimit, (byte) 'x');
            assertThat(feedCompressed(CompressionIT.deflate(atLimit), frames, limit, frames + " frames")).isTrue();
            byte[] over = Arrays.copyOf(atLimit, limit + 1);
            over[limit] = 'x';
            assertThat(feedCompressed(CompressionIT.deflate(over), frames, limit, frames + " frames")).isFalse();
        }
    }

    /**
     * Sends one compressed message in {@code frames} frames through the inflater. Returns whether it came through
     * (inflated to at most {@code limit} bytes); false when the inflater refused it with a
     * {@link CorruptedWebSocketFrameException} of 1002, 1007 or 1009, for the frame handler to close with. Either way every buffer is released and
     * no buffer was ever allowed to grow past {@code limit + 1} bytes.
     */
    private static boolean feedCompressed(byte[] deflated, int frames, int limit, String what) {
        List<ByteBuf> allocated = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new BoundedInflateDecoder(limit, false));
        channel.config().setAllocator(new AbstractByteBufAllocator(false) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                ByteBuf buffer = Unpooled.buffer(initialCapacity, maxCapacity);
                allocated.add(buffer);
                return buffer;
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                return newHeapBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        });
        List<WebSocketFrame> sent = new ArrayList<>();
        boolean refused = false;
        try {
            int step = Math.max(1, deflated.length / frames);
            for (int f = 0; f < frames && !refused; f++) {
                int from = Math.min(deflated.length, f * step);
                int to = f == frames - 1 ? deflated.length : Math.min(deflated.length, from + step);
                ByteBuf part = Unpooled.buffer(to - from).writeBytes(deflated, from, to - from); // never the shared empty buffer
                boolean last = f == frames - 1;
                WebSocketFrame frame = f == 0
                        ? new TextWebSocketFrame(last, WebSocketExtension.RSV1, part)
                        : new ContinuationWebSocketFrame(last, 0, part);
                sent.add(frame);
                try {
                    channel.writeInbound(frame);
                } catch (CorruptedWebSocketFrameException closing) {
                    refused = true;
                    assertThat(closing.closeStatus().code()).as(what).isIn(1002, 1007, 1009);
                    // The decoder only reports; the one close frame, with this status, is WebSocketFrameHandler's.
                    assertThat((Object) channel.readOutbound()).as(what + ": written by the decoder").isNull();
                }
            }
            int inflated = 0;
            for (WebSocketFrame out; (out = channel.readInbound()) != null; ) {
                inflated += out.content().readableBytes();
                assertThat(out.rsv() & WebSocketExtension.RSV1).as(what).isZero();
                out.release();
            }
            assertThat(inflated).as(what).isLessThanOrEqualTo(limit);
        } finally {
            channel.finishAndReleaseAll();
        }
        assertThat(sent).as(what + ": every frame given to the inflater is released").allMatch(f -> f.refCnt() == 0);
        assertThat(allocated).as(what + ": no buffer may grow past the limit, and none is kept")
                .allMatch(buffer -> buffer.maxCapacity() <= limit + 1 && buffer.refCnt() == 0);
        return !refused;
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int b = 0; b < length; b++) {
            bytes[b] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] randomText(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int b = 0; b < length; b++) {
            bytes[b] = (byte) ('a' + random.nextInt(random.nextBoolean() ? 2 : 26));
        }
        return bytes;
    }
}
