package dev.relay.server.socketio;

import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.websocket.ProtocolEndpoint;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.TooLongFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * An Engine.IO WebSocket: a new session ({@code transport=websocket} without {@code sid}) or the upgrade of a
 * long-polling one ({@code sid}); its frames go to the session, on the session's event loop.
 */
final class EngineWebSocket extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(EngineWebSocket.class);

    private final SocketIoEndpoint endpoint;
    private final ProtocolEndpoint.Admission admission;
    private EngineSession session;

    EngineWebSocket(SocketIoEndpoint endpoint, ProtocolEndpoint.Admission admission) {
        this.endpoint = endpoint;
        this.admission = admission;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
            if (ctx.pipeline().get("http-gate") != null) {
                ctx.pipeline().remove("http-gate"); // HTTP is over for this channel
            }
            open(ctx, new QueryStringDecoder(handshake.requestUri()));
        }
        super.userEventTriggered(ctx, event);
    }

    private void open(ChannelHandlerContext ctx, QueryStringDecoder query) {
        try {
            SocketIoEndpoint.checkQuery(query, "websocket");
        } catch (ProtocolException refused) {
            ctx.writeAndFlush(new CloseWebSocketFrame(1008, refused.getMessage()))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String sid = SocketIoEndpoint.first(query, "sid");
        if (sid == null) {
            session = new EngineSession(endpoint, ctx.channel().eventLoop(), admission, ctx.channel());
            return;
        }
        EngineSession upgrading = endpoint.sessions.get(sid);
        if (upgrading == null) {
            ctx.writeAndFlush(new CloseWebSocketFrame(1008, "Session ID unknown"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        session = upgrading;
        upgrading.execute(() -> upgrading.probing(ctx.channel()));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        EngineSession target = session;
        if (target == null) {
            return;
        }
        if (frame instanceof TextWebSocketFrame text) {
            String packet = text.text();
            target.execute(() -> target.fromWebSocket(ctx.channel(), packet));
        } else if (frame instanceof BinaryWebSocketFrame binary) {
            byte[] bytes = new byte[binary.content().readableBytes()];
            binary.content().readBytes(bytes);
            target.execute(() -> target.binaryFromWebSocket(ctx.channel(), bytes));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        EngineSession target = session;
        if (target != null) {
            target.execute(() -> target.webSocketClosed(ctx.channel()));
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException || cause instanceof TooLongFrameException) {
            // Too big (max_message_size), not UTF-8...: the decoder has closed with its status, or this does.
            WebSocketCloseStatus status = cause instanceof CorruptedWebSocketFrameException corrupted
                    && corrupted.closeStatus() != null ? corrupted.closeStatus() : WebSocketCloseStatus.MESSAGE_TOO_BIG;
            ctx.writeAndFlush(new CloseWebSocketFrame(status)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (cause instanceof IOException) {
            LOG.debug("event=connection_lost protocol=socketio client={} cause=\"{}\"", ctx.channel().remoteAddress(),
                    cause.toString());
        } else {
            LOG.error("event=connection_error protocol=socketio client={}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
