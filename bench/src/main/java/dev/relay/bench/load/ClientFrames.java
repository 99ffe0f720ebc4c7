package dev.relay.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Client-to-server WebSocket frames, written straight into one pooled buffer: room for the header and mask is kept
 * in front, the payload is written after it, then the header is filled in and the payload masked in place
 * (RFC 6455 §5.3: every client frame is masked).
 */
final class ClientFrames {
    static final int OPCODE_TEXT = 0x1;
    static final int OPCODE_CLOSE = 0x8;
    static final int OPCODE_PING = 0x9;
    static final int OPCODE_PONG = 0xA;
    /** 4 bytes of header (payloads up to 64 KiB) plus the 4-byte mask key. */
    static final int ROOM = 8;
    static final int MAX_PAYLOAD = 0xFFFF;

    private ClientFrames() {
    }

    /** A buffer with the header room reserved; write the payload, then {@link #seal} it. */
    static ByteBuf start(ByteBufAllocator allocator, int payloadHint) {
        ByteBuf buffer = allocator.directBuffer(ROOM + payloadHint);
        buffer.writerIndex(ROOM);
        return buffer;
    }

    /** Writes header and mask in front of the payload and masks it; the buffer then reads as one frame. */
    static ByteBuf seal(ByteBuf buffer, int opcode, int maskKey) {
        int length = buffer.writerIndex() - ROOM;
        if (length > MAX_PAYLOAD) {
            buffer.release();
            throw new IllegalArgumentException("the generator sends frames of at most 64 KiB, not " + length);
        }
        int headerLength = length < 126 ? 2 : 4;
        int start = ROOM - 4 - headerLength;
        buffer.setByte(start, 0x80 | opcode);
        if (length < 126) {
            buffer.setByte(start + 1, 0x80 | length);
        } else {
            buffer.setByte(start + 1, 0x80 | 126);
            buffer.setShort(start + 2, length);
        }
        buffer.setInt(ROOM - 4, maskKey);
        mask(buffer, ROOM, buffer.writerIndex(), maskKey);
        buffer.readerIndex(start);
        return buffer;
    }

    static ByteBuf control(ByteBufAllocator allocator, int opcode, ByteBuf payload, int maskKey) {
        ByteBuf buffer = start(allocator, payload.readableBytes());
        buffer.writeBytes(payload, payload.readerIndex(), Math.min(payload.readableBytes(), 125));
        return seal(buffer, opcode, maskKey);
    }

    static void mask(ByteBuf buffer, int from, int to, int maskKey) {
        int i = from;
        for (; i + 4 <= to; i += 4) {
            buffer.setInt(i, buffer.getInt(i) ^ maskKey);
        }
        for (int k = 0; i < to; i++, k++) {
            buffer.setByte(i, buffer.getByte(i) ^ (maskKey >>> (24 - 8 * k)));
        }
    }
}
