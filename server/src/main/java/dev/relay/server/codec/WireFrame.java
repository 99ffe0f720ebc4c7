package dev.relay.server.codec;

import dev.relay.core.codec.EncodedFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * A server-to-client WebSocket frame encoded once: one buffer with the frame header followed by the payload. Server
 * frames are never masked, so the same bytes are right for every recipient and go to the socket without passing
 * through the WebSocket encoder. Connections that negotiated compression get the payload as a WebSocket frame
 * instead, because their encoder must deflate it.
 */
public final class WireFrame implements EncodedFrame {
    /** Room a payload is written after: the largest header (2 bytes + 8 bytes of length). */
    static final int HEADER_ROOM = 10;
    private static final int OPCODE_TEXT = 0x1;
    private static final int OPCODE_BINARY = 0x2;

    private final ByteBuf wire;
    private final int payloadOffset;
    private final int payloadLength;
    private final boolean text;

    private WireFrame(ByteBuf wire, int payloadOffset, int payloadLength, boolean text) {
        this.wire = wire;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
        this.text = text;
    }

    /**
     * Wraps a buffer whose payload starts at {@link #HEADER_ROOM} and ends at the writer index, writing the header
     * into the room before it. Takes over the buffer.
     */
    static WireFrame text(ByteBuf buffer) {
        return seal(buffer, OPCODE_TEXT, true);
    }

    /** A binary frame with a copy of {@code payload}; the caller keeps its reference. */
    public static WireFrame binary(ByteBufAllocator allocator, ByteBuf payload) {
        ByteBuf buffer = allocator.directBuffer(HEADER_ROOM + payload.readableBytes());
        buffer.writerIndex(HEADER_ROOM);
        buffer.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        return seal(buffer, OPCODE_BINARY, false);
    }

    private static WireFrame seal(ByteBuf buffer, int opcode, boolean text) {
        int length = buffer.writerIndex() - HEADER_ROOM;
        int headerLength = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        int start = HEADER_ROOM - headerLength;
        buffer.setByte(start, 0x80 | opcode); // FIN: never fragmented
        if (length < 126) {
            buffer.setByte(start + 1, length);
        } else if (length <= 0xFFFF) {
            buffer.setByte(start + 1, 126);
            buffer.setShort(start + 2, length);
        } else {
            buffer.setByte(start + 1, 127);
            buffer.setLong(start + 2, length);
        }
        buffer.readerIndex(start);
        return new WireFrame(buffer, HEADER_ROOM, length, text);
    }

    /** The whole frame, header included, for connections without extensions. A new reference. */
    public ByteBuf wireBytes() {
        return wire.retainedDuplicate();
    }

    /** Bytes of the whole frame, header included. */
    public int wireLength() {
        return wire.readableBytes();
    }

    /** Appends the whole frame to {@code out} without touching this frame's indices or reference count. */
    public void copyTo(ByteBuf out) {
        out.writeBytes(wire, wire.readerIndex(), wire.readableBytes());
    }

    /** The payload as a Netty frame, for connections whose extensions (compression) must see it. A new reference. */
    public WebSocketFrame asFrame() {
        ByteBuf payload = wire.retainedSlice(payloadOffset, payloadLength);
        return text ? new TextWebSocketFrame(payload) : new BinaryWebSocketFrame(payload);
    }

    /**
     * The payload bytes, without the header: the JSON text itself, for tests, logs and the transports that frame it
     * their own way (STOMP). A slice sharing this frame's reference; retain it to keep it.
     */
    public ByteBuf payload() {
        return wire.slice(payloadOffset, payloadLength);
    }

    public boolean isText() {
        return text;
    }

    @Override
    public int length() {
        return payloadLength;
    }

    @Override
    public WireFrame retain() {
        wire.retain();
        return this;
    }

    @Override
    public void release() {
        wire.release();
    }
}
