package dev.relay.server.websocket;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * What Netty's WebSocket handlers let through and RFC 6455 or our budget does not, checked on each frame after the
 * extension decoders and before the protocol handler (which answers pings and echoes close frames by itself):
 * <ul>
 * <li>reserved bits still set once the negotiated extensions have read theirs mean nothing was negotiated to give
 *     them a meaning: 1002. (Netty's decoder lets them through whenever compression may be negotiated at all.)</li>
 * <li>a close code a peer may not send (below 1000, 1004-1006, 1015-2999, 5000 and up; Netty's own check passes
 *     everything from 3000) is answered with 1002, not echoed.</li>
 * <li>a ping costs a token of the connection's rate limit like a message; a refused one gets no pong. Every pong
 *     still counts against the outbound budget ({@link BackpressureHandler}).</li>
 * </ul>
 * A valid close frame's code is noted here, for the connections-closed metric and the activity log: the protocol
 * handler after this one answers close frames itself and passes them no further.
 * After a violation nothing more from the connection is read: one close frame goes out, from
 * {@link WebSocketFrameHandler#protocolError}.
 * <p>
 * The other protocols' endpoints ({@link ProtocolEndpoint}) get the first two checks too ({@link #forEndpoint}); their
 * pings are not charged, since their messages are not charged per frame either, and a violation is answered here with
 * the one 1002 close frame.
 */
final class FrameGuard extends ChannelInboundHandlerAdapter {
    /** Null on another protocol's endpoint. */
    private final WebSocketFrameHandler frames;
    private boolean violated;

    FrameGuard(WebSocketFrameHandler frames) {
        this.frames = frames;
    }

    /** The guard of a {@link ProtocolEndpoint}'s connection, where {@code /ws/connect}'s frame handler is gone. */
    static FrameGuard forEndpoint() {
        return new FrameGuard(null);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
        if (!(message instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(message);
            return;
        }
        if (violated) {
            frame.release();
            return;
        }
        if (frame.rsv() != 0 || (frame instanceof CloseWebSocketFrame close && !isValidCloseCode(close.statusCode()))) {
            violated = true;
            frame.release();
            if (frames != null) {
                frames.protocolError(ctx);
            } else {
                ctx.channel().config().setAutoRead(false);
                // Through the whole pipeline: the protocol handler then knows a close went out and sends no other.
                ctx.channel().writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.PROTOCOL_ERROR))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        if (frame instanceof PingWebSocketFrame && frames != null && !frames.chargePing()) {
            ReferenceCountUtil.release(frame);
            return;
        }
        if (frame instanceof CloseWebSocketFrame close) {
            recordClientClose(ctx, close.statusCode());
        }
        ctx.fireChannelRead(frame);
    }

    private static void recordClientClose(ChannelHandlerContext ctx, int code) {
        NettyConnection connection = WebSocketFrameHandler.connectionOf(ctx);
        if (connection != null) {
            connection.recordClose(code < 0 ? NettyConnection.NO_STATUS : code);
        }
    }

    /** RFC 6455 section 7.4 and the IANA registry: the codes an endpoint may put in a close frame; -1 is none. */
    static boolean isValidCloseCode(int code) {
        return code == -1
                || (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }
}
