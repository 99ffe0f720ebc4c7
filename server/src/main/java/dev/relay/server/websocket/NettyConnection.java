package dev.relay.server.websocket;

import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.delivery.Connection;
import dev.relay.core.protocol.CloseReason;
import dev.relay.server.codec.WireFrame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket channel as the core sees it. Its outbound buffer is bounded: once {@link #hardLimitBytes} are queued
 * and unsent, the next write is dropped and the connection closed as a slow consumer at once, so one stalled client
 * can never grow the heap past the limit and one frame; the softer rule (unwritable for longer than write_wait) lives in {@link BackpressureHandler}.
 *
 * <p>Small frames are copied once per event loop into its {@link LoopFrameChunk}; the frames a connection is sent
 * between two flushes usually sit back to back there and go to the channel as one slice at the flush (each stays its
 * own WebSocket frame). So a connection costs one outbound entry and one loop-local reference count per batch instead
 * of one per frame, and no event loop touches the reference count of the frame they all share. Large frames are shared
 * as they are. Between flushes a connection holds nothing.
 */
final class NettyConnection implements Connection {
    private static final Logger LOG = LoggerFactory.getLogger(NettyConnection.class);
    /** How long a closing connection gets to send its close frame before the socket is cut. */
    private static final long CLOSE_GRACE_MILLIS = 1000;
    /** Frames up to this many bytes are copied into the loop's frame chunk; larger ones are written as shared bytes. */
    static final int COPY_LIMIT = 1024;

    private final Channel channel;
    /**
     * Where pre-framed bytes enter the pipeline: the backpressure handler's context (the first handler's in a
     * pipeline without it), so they go straight to the socket, through TLS when the port has it. Every handler
     * after it works on WebSocket frame objects or HTTP messages and would only pass bytes along, at the cost of a
     * walk over the whole pipeline per write and per flush. Null in a pipeline without handlers.
     */
    private final ChannelHandlerContext head;
    private final boolean throughExtensions;
    private final long hardLimitBytes;
    /** The client's address as the gate resolved it (behind trusted proxies, from the forwarding headers). */
    static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.valueOf("relay.client-address");
    private final String remoteAddress;
    private final Runnable onSlowConsumer;
    private final TransportEvents events;
    private boolean closing;
    /** The close code to report when the connection ends; see {@link #closeCode()}. Set on the event loop. */
    private int closeCode = NO_CLOSE_FRAME;

    /** RFC 6455's code for a connection that ended without a close frame. */
    static final int NO_CLOSE_FRAME = 1006;
    /** RFC 6455's code for a close frame that carried no code. */
    static final int NO_STATUS = 1005;
    /**
     * The loop's frame chunk holding the frames written since the last flush, retained once, and where they
     * are in it; null between flushes. Event loop only.
     */
    private ByteBuf range;
    private int rangeStart;
    private int rangeEnd;

    /**
     * @param throughExtensions the connection negotiated an extension (compression), so frames must go through the
     *                          WebSocket encoder instead of as pre-encoded bytes
     */
    NettyConnection(Channel channel, boolean throughExtensions, long hardLimitBytes, Runnable onSlowConsumer,
                    TransportEvents events) {
        this.channel = channel;
        ChannelHandlerContext backpressure = channel.pipeline().context(BackpressureHandler.class);
        this.head = backpressure != null ? backpressure : channel.pipeline().firstContext();
        this.events = events;
        this.throughExtensions = throughExtensions;
        this.hardLimitBytes = hardLimitBytes;
        this.onSlowConsumer = onSlowConsumer;
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
        long queued = (pending == null ? 0 : pending.totalPendingWriteBytes())
                + (range == null ? 0 : rangeEnd - rangeStart);
        // Only what this connection has not taken yet counts, never the size of the frame now offered: a frame is
        // as big as its sender made it (within max_message_size), and a member that reads everything must not be
        // closed because someone sent one large message. So the buffer stays below the limit plus one frame.
        if (queued >= hardLimitBytes) {
            LOG.info("event=slow_consumer client={} pending_bytes={} frame_bytes={} limit_bytes={}", remoteAddress,
                    queued, frame.length(), hardLimitBytes);
            closeAsSlowConsumer();
            return;
        }
        WireFrame wire = (WireFrame) frame;
        int size = wire.wireLength();
        if (throughExtensions || size > COPY_LIMIT) {
            writeRange(); // keep the order
            if (throughExtensions) {
                channel.write(wire.asFrame(), channel.voidPromise());
            } else {
                writeBytes(wire.wireBytes());
            }
            return;
        }
        LoopFrameChunk shared = LoopFrameChunk.current();
        ByteBuf chunk = shared.place(wire, channel.alloc());
        if (chunk == range && shared.start() == rangeEnd) {
            rangeEnd = shared.end(); // right after what this connection already has: the same slice grows
            return;
        }
        writeRange();
        range = chunk.retain();
        rangeStart = shared.start();
        rangeEnd = shared.end();
    }

    @Override
    public void flush() {
        writeRange();
        if (head != null) {
            head.flush();
        } else {
            channel.flush();
        }
    }

    private void writeBytes(ByteBuf bytes) {
        if (head != null) {
            head.write(bytes, channel.voidPromise());
        } else {
            channel.write(bytes, channel.voidPromise());
        }
    }

    /** Hands the pending slice to the channel, with this connection's reference (the channel releases it, even closed). */
    private void writeRange() {
        if (range != null) {
            ByteBuf slice = range.slice(rangeStart, rangeEnd - rangeStart);
            range = null;
            writeBytes(slice);
        }
    }

    @Override
    public void send(EncodedFrame frame) {
        LoopSends.send(channel.eventLoop(), frame, onLoop -> {
            // The fan-out's writes are counted by its lane, once per batch; direct sends are counted here.
            if (!closing && channel.isActive()) {
                events.sent(onLoop.length());
            }
            write(onLoop);
            flush();
        });
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
        recordClose(reason.code());
        writeRange(); // what was written before the close goes before the close frame
        channel.writeAndFlush(new CloseWebSocketFrame(reason.code(), reason.reason()))
                .addListener(ChannelFutureListener.CLOSE);
        // A peer that reads nothing would keep the close frame (and the socket) forever.
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Closes with the slow-consumer code, counting it once however many rules noticed. On the event loop. */
    void closeAsSlowConsumer() {
        if (closing || !channel.isActive()) {
            return;
        }
        onSlowConsumer.run();
        // What it has not taken yet it never will: dropped, so that the close frame is what comes next and fits.
        dropRange();
        close(CloseReason.SLOW_CONSUMER);
    }

    private void dropRange() {
        if (range != null) {
            range.release();
            range = null;
        }
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    /**
     * Notes the first close code seen, the server's or the client's; later ones (the echo) do not count. From then
     * on nothing more is written: no data frame may follow a close frame, and the protocol handler that would drop
     * them is not on the way of pre-framed bytes.
     */
    void recordClose(int code) {
        closing = true;
        if (closeCode == NO_CLOSE_FRAME) {
            closeCode = code;
        }
    }

    /**
     * The code the connection ended with: the one the server sent, else the client's (1005 when its close frame had
     * none), else 1006 when it dropped without a close frame.
     */
    int closeCode() {
        return closeCode;
    }

    Channel channel() {
        return channel;
    }

    private static String describe(Channel channel) {
        String client = channel.attr(CLIENT_ADDRESS).get();
        if (client != null && channel.remoteAddress() instanceof InetSocketAddress peer
                && !client.equals(peer.getAddress().getHostAddress())) {
            return client + " via " + peer.getAddress().getHostAddress(); // behind a trusted proxy
        }
        return channel.remoteAddress() instanceof InetSocketAddress address
                ? address.getAddress().getHostAddress() + ":" + address.getPort()
                : String.valueOf(channel.remoteAddress());
    }
}
