package dev.relay.server.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates permessage-deflate messages with a bound on the whole message: the inflated bytes of all its frames
 * together may be at most {@code maxMessageBytes} (max_message_size). Inflation stops at the first byte past it, so
 * a bomb never grows in memory beyond the limit, and the connection is closed with 1009 the way an uncompressed
 * frame that is too long is: a {@link CorruptedWebSocketFrameException} tells the handlers after it, and
 * {@link WebSocketFrameHandler} sends the one close frame. Data that does not inflate closes with 1007.
 * After either, every further data frame is dropped unread. Frames without RSV1 pass through untouched, since the
 * limits after this handler hold for them.
 *
 * <p>The inflater exists only while a client sends compressed messages; it goes between messages when the client
 * agreed to {@code client_no_context_takeover}, and whenever a message ended its deflate stream.
 */
final class BoundedInflateDecoder extends WebSocketExtensionDecoder {
    /** What RFC 7692 7.2.2 says the sender removed from the end of each message. */
    private static final byte[] MESSAGE_TAIL = {0x00, 0x00, (byte) 0xff, (byte) 0xff};
    /** Output grows in steps of this many bytes, so a small message takes a small buffer. */
    private static final int STEP_BYTES = 8 * 1024;

    private final int maxMessageBytes;
    private final boolean clientResets;
    private Inflater inflater;
    /** Inside a fragmented message that started with RSV1: its continuations are compressed too. */
    private boolean compressedMessage;
    /** Inflated bytes of the current message so far. */
    private int messageBytes;
    /** A message was refused and the connection is closing: nothing more is inflated. */
    private boolean failed;

    /**
     * @param maxMessageBytes most inflated bytes of one message
     * @param clientResets    the client agreed to client_no_context_takeover: no message refers to an earlier one
     */
    BoundedInflateDecoder(int maxMessageBytes, boolean clientResets) {
        this.maxMessageBytes = maxMessageBytes;
        this.clientResets = clientResets;
    }

    @Override
    public boolean acceptInboundMessage(Object message) {
        // Control frames (close, ping, pong) are never compressed and must get through, even after a failure.
        return message instanceof TextWebSocketFrame || message instanceof BinaryWebSocketFrame
                || message instanceof ContinuationWebSocketFrame;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (failed) {
            return; // the frame is released by the caller; the connection is closing
        }
        boolean rsv1 = (frame.rsv() & WebSocketExtension.RSV1) != 0;
        if (frame instanceof ContinuationWebSocketFrame) {
            if (rsv1) {
                throw fail(WebSocketCloseStatus.PROTOCOL_ERROR, "RSV1 on a continuation frame");
            }
            if (!compressedMessage) {
                out.add(frame.retain());
                return;
            }
        } else {
            compressedMessage = rsv1;
            messageBytes = 0;
            if (!rsv1) {
                out.add(frame.retain());
                return;
            }
        }
        ByteBuf inflated = inflate(ctx, frame);
        int rsv = frame.rsv() & ~WebSocketExtension.RSV1;
        boolean last = frame.isFinalFragment();
        if (frame instanceof TextWebSocketFrame) {
            out.add(new TextWebSocketFrame(last, rsv, inflated));
        } else if (frame instanceof BinaryWebSocketFrame) {
            out.add(new BinaryWebSocketFrame(last, rsv, inflated));
        } else {
            out.add(new ContinuationWebSocketFrame(last, rsv, inflated));
        }
        if (last) {
            compressedMessage = false;
            if (clientResets) {
                release();
            } else if (inflater.finished()) {
                inflater.reset(); // the client ended its stream (BFINAL); its next message starts a new one
            }
        }
    }

    /** This frame's payload inflated, within what is left of the message's budget; fails the connection past it. */
    private ByteBuf inflate(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (inflater == null) {
            inflater = new Inflater(true); // raw deflate: RFC 7692 has no zlib header
        }
        int budget = maxMessageBytes - messageBytes;
        // One byte past the budget is room enough to learn that the message is too big.
        ByteBuf out = ctx.alloc().buffer(Math.min(budget + 1, STEP_BYTES), budget + 1);
        try {
            ByteBuf in = frame.content();
            for (ByteBuffer part : in.nioBuffers(in.readerIndex(), in.readableBytes())) {
                inflateInto(part, out);
            }
            if (frame.isFinalFragment()) {
                inflateInto(ByteBuffer.wrap(MESSAGE_TAIL), out);
            }
            messageBytes += out.readableBytes();
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private void inflateInto(ByteBuffer input, ByteBuf out) {
        inflater.setInput(input);
        try {
            while (!inflater.finished()) {
                if (!out.isWritable()) {
                    if (out.writerIndex() == out.maxCapacity()) {
                        throw fail(WebSocketCloseStatus.MESSAGE_TOO_BIG,
                                "the inflated message is larger than " + maxMessageBytes + " bytes");
                    }
                    out.ensureWritable(Math.min(STEP_BYTES, out.maxWritableBytes()));
                }
                int inflated = inflater.inflate(out.nioBuffer(out.writerIndex(), out.writableBytes()));
                out.writerIndex(out.writerIndex() + inflated);
                if (inflated == 0) {
                    // With room to write, zlib stops short only when the input is used up (or the stream wants a
                    // dictionary, which permessage-deflate never sets, so nothing more would come).
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw fail(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "the compressed data is invalid: " + e.getMessage());
        }
    }

    /**
     * Stops inflating and reports, as Netty's frame decoder does with closeOnProtocolViolation off: the one close
     * frame, with this status, is sent by {@link WebSocketFrameHandler#exceptionCaught}.
     */
    private CorruptedWebSocketFrameException fail(WebSocketCloseStatus status, String why) {
        failed = true;
        release();
        return new CorruptedWebSocketFrameException(status, why);
    }

    private void release() {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        release();
        super.handlerRemoved(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release();
        super.channelInactive(ctx);
    }
}
