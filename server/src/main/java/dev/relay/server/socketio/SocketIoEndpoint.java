package dev.relay.server.socketio;

import dev.relay.core.Hub;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.websocket.ProtocolEndpoint;
import dev.relay.server.websocket.WebSocketConfigs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /socket.io/}: Engine.IO 4 sessions over long-polling (plain HTTP GET and POST, {@code sid} in the query),
 * upgraded to WebSocket or WebSocket from the start, each carrying one Socket.IO client of the main namespace.
 */
public final class SocketIoEndpoint implements ProtocolEndpoint {
    public static final String PATH = "/socket.io/";

    final Settings settings;
    final Hub hub;
    final JsonCodec codec;
    final JwtVerifier verifier;
    /** The live sessions by sid; each holds its connection slots, so max_connections bounds the map. */
    final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final WebSocketServerProtocolConfig protocolConfig;

    /**
     * @param pingInterval       Engine.IO's pingInterval: Relay's {@code ping_period}
     * @param pingTimeout        Engine.IO's pingTimeout: Relay's {@code pong_wait}
     * @param outboundLimitBytes the most one session may have queued for its client
     * @param connectRoom        the room a client starts in unless its auth names one ({@code room_id})
     */
    public record Settings(int maxMessageSize, boolean compression, Duration pingInterval, Duration pingTimeout,
                           long outboundLimitBytes, String connectRoom) {
    }

    public SocketIoEndpoint(Settings settings, Hub hub, JsonCodec codec, JwtVerifier verifier) {
        this.settings = settings;
        this.hub = hub;
        this.codec = codec;
        this.verifier = verifier;
        this.protocolConfig = WebSocketConfigs.forEndpoint(PATH, settings.maxMessageSize(), settings.compression(), null);
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public WebSocketServerProtocolConfig protocolConfig() {
        return protocolConfig;
    }

    @Override
    public boolean isNewConnection(QueryStringDecoder query) {
        return first(query, "sid") == null;
    }

    @Override
    public boolean servesPlainHttp() {
        return true;
    }

    @Override
    public void install(ChannelPipeline pipeline, Admission admission) {
        pipeline.addLast("socketio", new EngineWebSocket(this, admission));
    }

    /** Long-polling: the handshake (GET without sid), a poll (GET) or packets from the client (POST). */
    @Override
    public void handlePlainHttp(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query,
                                Admission admission) {
        try {
            checkQuery(query, "polling");
            String sid = first(query, "sid");
            if (sid == null) {
                if (!request.method().equals(HttpMethod.GET)) {
                    throw new ProtocolException(ErrorCode.INVALID_FIELD, "the handshake is a GET");
                }
                EngineSession session = new EngineSession(this, ctx.channel().eventLoop(), admission, null);
                respond(ctx, request, HttpResponseStatus.OK, session.openPacket());
                return;
            }
            EngineSession session = sessions.get(sid);
            if (session == null) {
                engineError(ctx, request, 1, "Session ID unknown");
                return;
            }
            if (request.method().equals(HttpMethod.GET)) {
                boolean keepAlive = HttpUtil.isKeepAlive(request);
                String origin = request.headers().get(HttpHeaderNames.ORIGIN);
                session.execute(() -> session.poll(ctx, keepAlive, origin));
            } else if (request.method().equals(HttpMethod.POST)) {
                String body = request.content().toString(StandardCharsets.UTF_8);
                session.execute(() -> session.posted(body));
                respond(ctx, request, HttpResponseStatus.OK, "ok");
            } else {
                engineError(ctx, request, 2, "Bad handshake method");
            }
        } catch (ProtocolException refused) {
            if (admission != null) {
                admission.end();
            }
            engineError(ctx, request, 3, refused.getMessage());
        }
    }

    /** Engine.IO 4 only, and the transport the request came by. */
    static void checkQuery(QueryStringDecoder query, String transport) {
        if (!"4".equals(first(query, "EIO"))) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "Unsupported protocol version: Relay speaks EIO=4");
        }
        if (!transport.equals(first(query, "transport"))) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "Transport unknown");
        }
    }

    static String first(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static void engineError(ChannelHandlerContext ctx, FullHttpRequest request, int code, String message) {
        String body = "{\"code\":" + code + ",\"message\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"}";
        FullHttpResponse response = response(HttpResponseStatus.BAD_REQUEST, body, "application/json",
                request.headers().get(HttpHeaderNames.ORIGIN));
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
        respond(ctx, HttpUtil.isKeepAlive(request), request.headers().get(HttpHeaderNames.ORIGIN), status, body);
    }

    static void respond(ChannelHandlerContext ctx, boolean keepAlive, String origin, HttpResponseStatus status,
                        String body) {
        FullHttpResponse response = response(status, body, "text/plain; charset=UTF-8", origin);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body, String contentType,
                                             String origin) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (origin != null) {
            // The gate has checked the origin; a page from it may read the answer (cross-origin long-polling).
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        return response;
    }
}
