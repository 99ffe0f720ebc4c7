package dev.relay.server.websocket;

import dev.relay.core.protocol.CloseReason;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Pings every ping_period and closes a connection from which nothing has arrived within pong_wait of a ping. Any
 * frame counts as a sign of life, not only the pong. Pongs stop here.
 */
final class HeartbeatHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatHandler.class);

    private final long pingPeriodNanos;
    private final long pongWaitNanos;
    private ScheduledFuture<?> pinger;
    private long lastReadNanos;

    HeartbeatHandler(Duration pingPeriod, Duration pongWait) {
        this.pingPeriodNanos = pingPeriod.toNanos();
        this.pongWaitNanos = pongWait.toNanos();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            lastReadNanos = System.nanoTime();
            pinger = ctx.executor().scheduleAtFixedRate(() -> ping(ctx), pingPeriodNanos, pingPeriodNanos,
                    TimeUnit.NANOSECONDS);
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
        lastReadNanos = System.nanoTime();
        if (message instanceof PongWebSocketFrame pong) {
            pong.release();
            return;
        }
        super.channelRead(ctx, message);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void ping(ChannelHandlerContext ctx) {
        long sentAt = System.nanoTime();
        ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER));
        // Judge each ping on its own: with pong_wait longer than ping_period, later pings must not move the mark.
        ctx.executor().schedule(() -> checkAnswer(ctx, sentAt), pongWaitNanos, TimeUnit.NANOSECONDS);
    }

    private void checkAnswer(ChannelHandlerContext ctx, long pingSentAt) {
        if (lastReadNanos - pingSentAt < 0 && ctx.channel().isActive()) {
            LOG.info("event=heartbeat_timeout client={} pong_wait_ms={}", ctx.channel().remoteAddress(),
                    TimeUnit.NANOSECONDS.toMillis(pongWaitNanos));
            stop();
            NettyConnection connection = WebSocketFrameHandler.connectionOf(ctx);
            if (connection != null) {
                connection.close(CloseReason.HEARTBEAT_TIMEOUT);
            } else {
                ctx.close();
            }
        }
    }

    private void stop() {
        if (pinger != null) {
            pinger.cancel(false);
            pinger = null;
        }
    }
}
