package dev.relay.server.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Every connection's outbound budget, plain HTTP and WebSocket alike, before and after the upgrade. A client can make
 * the server write without reading what it writes (pipelined requests, pings); these rules keep what it costs bounded:
 * <ul>
 * <li>while the channel is unwritable (more than max_pending_bytes queued) it reads nothing, so such a client stops
 *     being served instead of growing the server's buffers;</li>
 * <li>unwritable for longer than write_wait, it is closed as a slow consumer (4008 once it is a WebSocket);</li>
 * <li>a write that finds the hard limit (four times max_pending_bytes) already queued is dropped and the connection
 *     closed at once: what one connection can hold is the hard limit plus one message.</li>
 * </ul>
 * It is the first handler, so every write reaches it as the bytes that go to the socket; the pre-framed writes of
 * {@link NettyConnection} start right below it and are held to the hard limit there.
 */
final class BackpressureHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BackpressureHandler.class);

    /** A server's control frame on the wire: two bytes of header and at most 125 of payload, never masked. */
    private static final int MAX_CONTROL_FRAME_BYTES = 127;

    private final long writeWaitNanos;
    private final long hardLimitBytes;
    private ScheduledFuture<?> slowConsumerCheck;
    /** Reading was turned off here, so it is turned back on here, and by nothing else of this handler. */
    private boolean pausedReading;
    private boolean overLimit;
    private boolean closeFrameAdmitted;

    BackpressureHandler(Duration writeWait, long hardLimitBytes) {
        this.writeWaitNanos = writeWait.toNanos();
        this.hardLimitBytes = hardLimitBytes;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!ctx.channel().isWritable()) {
            if (ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(false);
                pausedReading = true;
            }
            if (slowConsumerCheck == null) {
                slowConsumerCheck = ctx.executor().schedule(() -> {
                    slowConsumerCheck = null;
                    if (!ctx.channel().isWritable() && ctx.channel().isActive()) {
                        LOG.info("event=slow_consumer client={} write_wait_ms={}", ctx.channel().remoteAddress(),
                                TimeUnit.NANOSECONDS.toMillis(writeWaitNanos));
                        closeAsSlowConsumer(ctx, false);
                    }
                }, writeWaitNanos, TimeUnit.NANOSECONDS);
            }
        } else {
            if (pausedReading) {
                pausedReading = false;
                ctx.channel().config().setAutoRead(true);
            }
            cancelCheck();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) throws Exception {
        ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
        if (!overLimit && !closeFrameAdmitted && isCloseFrame(message)) {
            // The one close frame of a connection closed for being over its budget still goes out, past the hard
            // limit by at most a control frame's size: the client learns why (4008) instead of seeing a reset.
            closeFrameAdmitted = true;
            ctx.write(message, promise);
            return;
        }
        if (overLimit || (pending != null && pending.totalPendingWriteBytes() >= hardLimitBytes && sizeOf(message) > 0)) {
            ReferenceCountUtil.release(message);
            if (!promise.isVoid()) {
                promise.tryFailure(new ClosedChannelException());
            }
            if (!overLimit) {
                overLimit = true;
                LOG.info("event=slow_consumer client={} pending_bytes={} limit_bytes={}", ctx.channel().remoteAddress(),
                        pending.totalPendingWriteBytes(), hardLimitBytes);
                closeAsSlowConsumer(ctx, true);
            }
            return;
        }
        ctx.write(message, promise);
    }

    /**
     * A WebSocket is closed as a slow consumer: counted, with a close frame if one still fits (it has a second to go
     * out). A plain HTTP connection, or one past the hard limit whose close frame cannot fit, is closed at once, from
     * here, so that no handler after this one writes anything more.
     */
    private static void closeAsSlowConsumer(ChannelHandlerContext ctx, boolean atOnce) {
        NettyConnection connection = WebSocketFrameHandler.connectionOf(ctx);
        if (connection != null) {
            connection.closeAsSlowConsumer();
        }
        if (connection == null || atOnce) {
            ctx.close();
        }
    }

    /** A whole close frame as the WebSocket encoder hands it down (FIN and opcode 8, within a control frame's size). */
    private static boolean isCloseFrame(Object message) {
        return message instanceof ByteBuf bytes && bytes.readableBytes() >= 2
                && bytes.readableBytes() <= MAX_CONTROL_FRAME_BYTES
                && bytes.getByte(bytes.readerIndex()) == (byte) 0x88;
    }

    private static long sizeOf(Object message) {
        if (message instanceof ByteBuf bytes) {
            return bytes.readableBytes();
        }
        if (message instanceof ByteBufHolder holder) {
            return holder.content().readableBytes();
        }
        return 1; // anything else still adds to the queue
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelCheck();
        super.channelInactive(ctx);
    }

    private void cancelCheck() {
        if (slowConsumerCheck != null) {
            slowConsumerCheck.cancel(false);
            slowConsumerCheck = null;
        }
    }
}
