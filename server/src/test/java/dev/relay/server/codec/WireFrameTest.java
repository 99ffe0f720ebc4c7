package dev.relay.server.codec;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.protocol.ServerMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class WireFrameTest {
    private static final Instant TIME = Instant.parse("2024-05-06T07:08:09.123Z");
    private static final List<ByteBufAllocator> ALLOCATORS =
            List.of(UnpooledByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT);

    /** Payload lengths on both sides of each header size change: 7-bit, 16-bit and 64-bit lengths. */
    static Stream<Arguments> binaryLengths() {
        return ALLOCATORS.stream().flatMap(allocator -> Stream.of(0, 1, 125, 126, 65535, 65536, 70000)
                .map(length -> Arguments.of(allocator, length)));
    }

    /** The same for text, except the smallest: a JSON message cannot be empty. */
    static Stream<Arguments> textLengths() {
        return ALLOCATORS.stream().flatMap(allocator -> Stream.of(125, 126, 65535, 65536, 70000)
                .map(length -> Arguments.of(allocator, length)));
    }

    // ---- text frames from JsonCodec ------------------------------------------------------------------------

    @ParameterizedTest(name = "{1} bytes, {0}")
    @MethodSource("textLengths")
    void textFrameHeaderIsRightAtEveryLengthBoundary(ByteBufAllocator allocator, int length) {
        WireFrame frame = textFrameOf(allocator, length);
        ByteBuf view = frame.payload();
        try {
            byte[] payload = ByteBufUtil.getBytes(frame.payload());
            assertThat(frame.length()).isEqualTo(length);
            assertThat(payload).hasSize(length);
            assertThat(frame.isText()).isTrue();
            assertThat(new ObjectMapper().readTree(payload).path("type").asText()).isEqualTo("room_message");

            assertHeader(frame, 0x81, length);
            assertDecodesTo(frame, TextWebSocketFrame.class, payload);
            assertAsFrame(frame, TextWebSocketFrame.class, payload);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } finally {
            frame.release();
        }
        assertThat(view.refCnt()).isZero();
    }

    // ---- binary frames -------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{1} bytes, {0}")
    @MethodSource("binaryLengths")
    void binaryFrameHeaderIsRightAtEveryLengthBoundary(ByteBufAllocator allocator, int length) {
        byte[] payload = pattern(length);
        ByteBuf source = Unpooled.wrappedBuffer(payload);
        WireFrame frame = WireFrame.binary(allocator, source);
        ByteBuf view = frame.payload();
        try {
            assertThat(frame.length()).isEqualTo(length);
            assertThat(frame.isText()).isFalse();
            assertThat(ByteBufUtil.getBytes(frame.payload())).isEqualTo(payload);

            assertHeader(frame, 0x82, length);
            assertDecodesTo(frame, BinaryWebSocketFrame.class, payload);
            assertAsFrame(frame, BinaryWebSocketFrame.class, payload);
        } finally {
            frame.release();
        }
        assertThat(view.refCnt()).isZero();
        assertThat(source.refCnt()).as("the caller keeps its reference").isEqualTo(1);
        source.release();
    }

    @Test
    void binaryCopiesOnlyTheReadableBytesAndLeavesTheSourceAlone() {
        ByteBuf source = Unpooled.buffer(16).writeBytes(new byte[] {9, 9, 1, 2, 3, 9});
        source.readerIndex(2).writerIndex(5);

        WireFrame frame = WireFrame.binary(UnpooledByteBufAllocator.DEFAULT, source);
        try {
            assertThat(ByteBufUtil.getBytes(frame.payload())).containsExactly(1, 2, 3);
            assertThat(source.readerIndex()).isEqualTo(2);
            assertThat(source.writerIndex()).isEqualTo(5);
            source.setByte(2, 7);
            assertThat(ByteBufUtil.getBytes(frame.payload())).as("a copy, not a view").containsExactly(1, 2, 3);
        } finally {
            frame.release();
            source.release();
        }
    }

    // ---- reference counting --------------------------------------------------------------------------------

    @Test
    void retainedFrameNeedsTwoReleases() {
        WireFrame frame = WireFrame.binary(PooledByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(pattern(10)));
        ByteBuf view = frame.payload();

        assertThat(frame.retain()).isSameAs(frame);
        assertThat(view.refCnt()).isEqualTo(2);
        frame.release();
        assertThat(view.refCnt()).isEqualTo(1);
        assertThat(ByteBufUtil.getBytes(frame.payload())).isEqualTo(pattern(10));
        frame.release();
        assertThat(view.refCnt()).isZero();
    }

    @Test
    void wireBytesAndAsFrameAreReferencesOfTheirOwn() {
        WireFrame frame = WireFrame.binary(UnpooledByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(pattern(10)));
        ByteBuf view = frame.payload();

        ByteBuf wire = frame.wireBytes();
        WebSocketFrame asFrame = frame.asFrame();
        assertThat(view.refCnt()).isEqualTo(3);

        frame.release();
        assertThat(view.refCnt()).as("still held by the two references handed out").isEqualTo(2);
        assertThat(ByteBufUtil.getBytes(wire, wire.readerIndex() + 2, 10)).isEqualTo(pattern(10));
        assertThat(ByteBufUtil.getBytes(asFrame.content())).isEqualTo(pattern(10));

        wire.release();
        asFrame.release();
        assertThat(view.refCnt()).isZero();
    }

    @Test
    void eachWireBytesCallStartsAtTheHeader() {
        WireFrame frame = WireFrame.binary(UnpooledByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(pattern(3)));
        try {
            ByteBuf first = frame.wireBytes();
            first.skipBytes(first.readableBytes()); // as a socket write would
            ByteBuf second = frame.wireBytes();

            assertThat(second.readableBytes()).isEqualTo(5);
            assertThat(second.getUnsignedByte(second.readerIndex())).isEqualTo((short) 0x82);
            first.release();
            second.release();
        } finally {
            frame.release();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** A text frame from JsonCodec whose JSON payload is exactly {@code length} bytes. */
    private static WireFrame textFrameOf(ByteBufAllocator allocator, int length) {
        JsonCodec codec = new JsonCodec(new ObjectMapper(), allocator);
        WireFrame empty = (WireFrame) codec.encode(message(""));
        int base = empty.length();
        empty.release();
        assertThat(length).isGreaterThanOrEqualTo(base);
        return (WireFrame) codec.encode(message("x".repeat(length - base)));
    }

    private static ServerMessage message(String content) {
        return new ServerMessage("m-1", "room_message", "alice", null, "lobby", content, null, TIME);
    }

    /** FIN + opcode, no mask bit, and the length in the shortest form RFC 6455 allows. */
    private static void assertHeader(WireFrame frame, int firstByte, int length) {
        ByteBuf wire = frame.wireBytes();
        try {
            int headerLength = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
            assertThat(wire.readableBytes()).isEqualTo(headerLength + length);
            assertThat(wire.readUnsignedByte()).isEqualTo((short) firstByte);
            int second = wire.readUnsignedByte();
            assertThat(second & 0x80).as("server frames are not masked").isZero();
            if (length < 126) {
                assertThat(second).isEqualTo(length);
            } else if (length <= 0xFFFF) {
                assertThat(second).isEqualTo(126);
                assertThat(wire.readUnsignedShort()).isEqualTo(length);
            } else {
                assertThat(second).isEqualTo(127);
                assertThat(wire.readLong()).isEqualTo(length);
            }
            assertThat(wire.readableBytes()).isEqualTo(length);
        } finally {
            wire.release();
        }
    }

    /** What a client's decoder makes of the bytes on the wire: one final frame of the right type and payload. */
    private static void assertDecodesTo(WireFrame frame, Class<? extends WebSocketFrame> type, byte[] payload) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false)
                .allowMaskMismatch(true)
                .maxFramePayloadLength(1 << 20)
                .build()));
        try {
            assertThat(client.writeInbound(frame.wireBytes())).isTrue();
            WebSocketFrame decoded = client.readInbound();
            try {
                assertThat(decoded).isInstanceOf(type);
                assertThat(decoded.isFinalFragment()).isTrue();
                assertThat(decoded.rsv()).isZero();
                assertThat(ByteBufUtil.getBytes(decoded.content())).isEqualTo(payload);
            } finally {
                decoded.release();
            }
            assertThat((Object) client.readInbound()).as("exactly one frame").isNull();
            assertThat((Object) client.readOutbound()).as("no close frame for a protocol error").isNull();
        } finally {
            assertThat(client.finishAndReleaseAll()).isFalse();
        }
    }

    private static void assertAsFrame(WireFrame frame, Class<? extends WebSocketFrame> type, byte[] payload) {
        WebSocketFrame asFrame = frame.asFrame();
        try {
            assertThat(asFrame).isInstanceOf(type);
            assertThat(asFrame.isFinalFragment()).isTrue();
            assertThat(ByteBufUtil.getBytes(asFrame.content())).isEqualTo(payload);
            if (asFrame instanceof TextWebSocketFrame text) {
                assertThat(text.text()).isEqualTo(new String(payload, StandardCharsets.UTF_8));
            }
        } finally {
            asFrame.release();
        }
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + i / 256);
        }
        return bytes;
    }
}
