package dev.relay.server.websocket;

import dev.relay.core.delivery.Connection;
import dev.relay.core.delivery.EncodedFrame;
import dev.relay.core.protocol.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket channel as the core sees it. Its outbound buffer is bounded: past {@link #hardLimitBytes} a write is
 * dropped and the connection closed as a slow consumer at once, so one stalled client can never grow the heap; the
 * softer rule (unwritable for longer than write_wait) lives in {@link WebSocketFrameHandler}.
 *
 * <p>Small frames written between two flushes are copied back to back into one buffer (each stays its own WebSocket
 * frame) that goes to the channel at the flush: one outbound entry and one reference count per connection per
 * batch instead of one per frame, and no atomic operation on the frame that every event loop shares. Large frames
 * are still shared, not copied. Between flushes a connection holds no buffer.
 */
final class NettyConnection implements Connection {
    private static final Logger LOG = LoggerFactory.getLogger(NettyConnection.class);
    /** How long a closing connection gets to send its close frame before the socket is cut. */
    private static final long CLOSE_GRACE_MILLIS = 1000;
    /** Frames up to this many bytes are copied into the batch; larger ones are written as shared bytes. */
    static final int COPY_LIMIT = 1024;
    /** A batch buffer past this many bytes goes to the channel and a new one starts. */
    static final int BATCH_LIMIT = 64 * 1024;

    private final Channel channel;
    private final boolean throughExtensions;
    private final long hardLimitBytes;
    private final String remoteAddress;
    private boolean closing;
    /** Frames written since the last flush, back to back; null between flushes. Event loop only. */
    private ByteBuf batch;

    /**
     * @param throughExtensions the connection negotiated an extension (compression), so frames must go through the
     *                          WebSocket encoder instead of as pre-encoded bytes
     */
    NettyConnection(Channel channel, boolean throughExtensions, long hardLimitBytes) {
        this.channel = channel;
        this.throughExtensions = throughExtensions;
        this.hardLimitBytes = hardLimitBytes;
        this.remoteAddress = describe(channel);
    }

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public void write(EncodedFrame frame) {
        if (closing || !channel.isActive()) {
            return;
        }
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        long queued = (pending == null ? 0 : pending.totalPendingWriteBytes()) + (batch == null ? 0 : batch.readableBytes());
        if (queued + frame.length() > hardLimitBytes) {
            LOG.info("event=slow_consumer client={} pending_bytes={} limit_bytes={}", remoteAddress, queued,
                    hardLimitBytes);
            close(CloseReason.SLOW_CONSUMER);
            return;
        }
        WireFrame wire = (WireFrame) frame;
        int size = wire.wireLength();
        if (throughExtensions || size > COPY_LIMIT) {
            writeBatch(); // keep the order
            channel.write(throughExtensions ? wire.asFrame() : wire.wireBytes(), channel.voidPromise());
            return;
        }
        if (batch != null && batch.readableBytes() + size > BATCH_LIMIT) {
            writeBatch();
        }
        if (batch == null) {
            batch = channel.alloc().directBuffer(Math.max(1024, 4 * size));
        }
        wire.copyTo(batch);
    }

    @Override
    public void flush() {
        writeBatch();
        channel.flush();
    }

    /** Hands the batch to the channel (which releases it, even when closed). */
    private void writeBatch() {
        if (batch != null) {
            ByteBuf written = batch;
            batch = null;
            channel.write(written, channel.voidPromise());
        }
    }

    @Override
    public void send(EncodedFrame frame) {
        if (channel.eventLoop().inEventLoop()) {
            write(frame);
            flush();
        } else {
            frame.retain();
            channel.eventLoop().execute(() -> {
                try {
                    send(frame);
                } finally {
                    frame.release();
                }
            });
        }
    }

    @Override
    public void close(CloseReason reason) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> close(reason));
            return;
        }
        if (closing || !channel.isActive()) {
            return;
        }
        closing = true;
        writeBatch(); // what was written before the close goes before the close frame
        channel.writeAndFlush(new CloseWebSocketFrame(reason.code(), reason.reason()))
                .addListener(ChannelFutureListener.CLOSE);
        // A peer that reads nothing would keep the close frame (and the socket) forever.
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    Channel channel() {
        return channel;
    }

    private static String describe(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress address
                ? address.getAddress().getHostAddress() + ":" + address.getPort()
                : String.valueOf(channel.remoteAddress());
    }
}
