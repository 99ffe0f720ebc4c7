package dev.relay.server.websocket;

import dev.relay.core.Hub;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.session.Session;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.codec.WireFrame;
import dev.relay.server.proxy.Inbox;
import dev.relay.server.proxy.MessageProxies;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;

/**
 * Translates between WebSocket frames and the hub, and nothing else: creates the session when the handshake
 * completes, hands decoded messages to the hub and tells it when the connection goes. (A connection that stays
 * unable to take data is closed by {@link BackpressureHandler}, which guards HTTP connections the same way.)
 */
final class WebSocketFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketFrameHandler.class);

    private final Hub hub;
    private final JsonCodec codec;
    private final long outboundLimitBytes;
    private final TransportEvents events;
    private final MessageProxies proxies;
    /** Messages the server answers itself (the analytics subscription). */
    private final ControlMessages controls;
    private NettyConnection connection;
    /** The hub, or the publish and rpc proxies before it; set with the session. */
    private Inbox inbox;
    private Session session;
    private TokenExpiryWatch expiryWatch;
    /** What the gate accepted, until the handshake completes; a field, not a channel attribute that idles on. */
    private ConnectRequest request;

    WebSocketFrameHandler(Hub hub, JsonCodec codec, long outboundLimitBytes, TransportEvents events,
                          MessageProxies proxies, ControlMessages controls) {
        this.controls = controls;
        this.hub = hub;
        this.proxies = proxies;
        this.events = events;
        this.codec = codec;
        this.outboundLimitBytes = outboundLimitBytes;
    }

    /** The connection of this channel once its handshake completed, else null; for the handlers before this one. */
    static NettyConnection connectionOf(ChannelHandlerContext ctx) {
        WebSocketFrameHandler frames = ctx.pipeline().get(WebSocketFrameHandler.class);
        return frames == null ? null : frames.connection;
    }

    /** Called by the gate, on the channel's event loop, when it lets the upgrade through. */
    void admitted(ConnectRequest accepted) {
        this.request = accepted;
    }

    /** Whether a ping may be answered: it costs a token of the rate limit like a message (see {@link FrameGuard}). */
    boolean chargePing() {
        return session != null && hub.chargeFrame(session);
    }

    /** Closes with 1002 after a frame RFC 6455 does not allow here. */
    void protocolError(ChannelHandlerContext ctx) {
        if (connection != null) {
            connection.close(CloseReason.PROTOCOL_ERROR);
        } else {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            open(ctx);
        }
        super.userEventTriggered(ctx, event);
    }

    private void open(ChannelHandlerContext ctx) {
        ConnectRequest request = this.request;
        this.request = null;
        ChannelPipeline pipeline = ctx.pipeline();
        if (pipeline.get(HttpGateHandler.class) != null) {
            pipeline.remove(HttpGateHandler.class); // HTTP is over for this channel
        }
        connection = new NettyConnection(ctx.channel(), negotiatedExtension(pipeline), outboundLimitBytes,
                hub::slowConsumerClosed, events);
        try {
            session = hub.connect(request.identity(), connection, request.roomId(), request.resumeFrom(),
                    request.connectData());
        } catch (ProtocolException roomGone) {
            connection.close(CloseReason.ROOM_NOT_FOUND);
            return;
        }
        inbox = proxies.open(session, request.proxyHeaders());
        events.opened(session, connection.remoteAddress());
        session.tokenExpiresAt(request.tokenExpiresAt());
        expiryWatch = new TokenExpiryWatch(hub, session, ctx.executor(), request.tokenGrace());
        expiryWatch.start();
        LOG.info("event=connected client_id={} user={} room={} client={}", session.id(), session.userId(),
                request.roomId(), connection.remoteAddress());
    }

    private static boolean negotiatedExtension(ChannelPipeline pipeline) {
        for (Map.Entry<String, ChannelHandler> entry : pipeline) {
            if (entry.getValue() instanceof WebSocketExtensionEncoder) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (session == null) {
            return;
        }
        if (frame instanceof TextWebSocketFrame) {
            ClientMessage message;
            int bytes = frame.content().readableBytes();
            try {
                message = codec.decode(frame.content());
            } catch (ProtocolException malformed) {
                events.received("invalid", bytes);
                hub.onMalformed(session, malformed); // charged to the rate limit: garbage is not free
                return;
            }
            events.received(message.type(), bytes);
            if (!controls.handle(session, message)) {
                inbox.onMessage(message);
            }
        } else if (frame instanceof BinaryWebSocketFrame) {
            events.received(Hub.BINARY, frame.content().readableBytes());
            WireFrame binary = WireFrame.binary(ctx.alloc(), frame.content());
            try {
                hub.onBinary(session, binary);
            } finally {
                binary.release();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (expiryWatch != null) {
            expiryWatch.stop();
        }
        if (session != null) {
            controls.closed(session);
            hub.disconnect(session);
            events.closed(session, connection.closeCode());
            LOG.info("event=disconnected client_id={} user={} code={}", session.id(), session.userId(),
                    connection.closeCode());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException && connection != null) {
            // A fragmented message grew past max_message_size: the same answer as one frame that is too big.
            connection.close(CloseReason.MESSAGE_TOO_BIG);
            return;
        }
        if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            // The decoders only report (closeOnProtocolViolation is off): the one close frame, with their status,
            // is sent here, where it is also recorded, so the protocol handler has none left to add.
            WebSocketCloseStatus status = corrupted.closeStatus() == null
                    ? WebSocketCloseStatus.PROTOCOL_ERROR : corrupted.closeStatus();
            if (connection != null) {
                connection.close(new CloseReason(status.code(), status.reasonText()));
            } else {
                ctx.close();
            }
            return;
        }
        if (cause instanceof IOException) {
            // The peer reset or vanished: routine on the internet, not worth an error line.
            LOG.debug("event=connection_lost client={} cause=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.error("event=connection_error client_id={} client={}", session == null ? "-" : session.id(),
                    ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
