package dev.relay.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;

import java.util.LinkedHashMap;
import java.util.Map;

/** Writes the seed's envelope: {@code {"success":true,"data":...}} or {@code {"success":false,"error":{...}}}. */
public final class HttpResponses {
    /** The request being answered on a channel, set by the router, so the answer can be measured by route. */
    private static final AttributeKey<Timing> TIMING = AttributeKey.valueOf("relay.http.timing");

    private record Timing(String method, String route, long startNanos) {
    }

    private final ObjectMapper mapper;
    private final RequestEvents events;

    public HttpResponses(ObjectMapper mapper) {
        this(mapper, RequestEvents.NONE);
    }

    /** @param events told of every answer to a routed request, with its route, status and duration */
    public HttpResponses(ObjectMapper mapper, RequestEvents events) {
        this.mapper = mapper;
        this.events = events;
    }

    static void startTiming(ChannelHandlerContext ctx, String method, String route) {
        ctx.channel().attr(TIMING).set(new Timing(method, route, System.nanoTime()));
    }

    public void ok(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, Object data) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("data", data);
        json(ctx, keepAlive, status, body);
    }

    public void error(ChannelHandlerContext ctx, boolean keepAlive, ErrorCode code, String message) {
        error(ctx, keepAlive, HttpResponseStatus.valueOf(code.httpStatus()), code, message);
    }

    /**
     * The refusal as its code's status; one that says when to retry gets {@code Retry-After} (whole seconds, rounded
     * up, as RFC 9110 wants) and {@code retry_after_ms} in the envelope.
     */
    public void error(ChannelHandlerContext ctx, boolean keepAlive, ProtocolException refused) {
        if (refused.retryAfterMillis() < 0) {
            error(ctx, keepAlive, refused.code(), refused.getMessage());
            return;
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", refused.code().code());
        error.put("message", refused.getMessage());
        error.put("retry_after_ms", refused.retryAfterMillis());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", error);
        long seconds = Math.max(1, (refused.retryAfterMillis() + 999) / 1000);
        send(ctx, keepAlive, HttpResponseStatus.valueOf(refused.code().httpStatus()), "application/json; charset=utf-8",
                bytes(body), Map.of(HttpHeaderNames.RETRY_AFTER.toString(), Long.toString(seconds)));
    }

    public void error(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, ErrorCode code,
                      String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.code());
        error.put("message", message);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", error);
        json(ctx, keepAlive, status, body);
    }

    public void json(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, Object body) {
        send(ctx, keepAlive, status, "application/json; charset=utf-8", bytes(body));
    }

    private byte[] bytes(Object body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response body could not be written as JSON", e);
        }
    }

    public void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String contentType,
                     byte[] body) {
        send(ctx, keepAlive, status, contentType, body, Map.of());
    }

    public void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String contentType,
                     byte[] body, Map<String, String> extraHeaders) {
        Timing timing = ctx.channel().attr(TIMING).getAndSet(null);
        if (timing != null) {
            events.answered(timing.method(), timing.route(), status.code(), System.nanoTime() - timing.startNanos());
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                // Every answer, error or not: a browser must neither guess another type (an error that echoes input
                // rendered as HTML), nor frame it, nor run anything in it; the web page widens the policy for itself.
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, ContentSecurity.NOTHING)
                .set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY")
                .set("Referrer-Policy", "no-referrer");
        extraHeaders.forEach((name, value) -> response.headers().set(name, value));
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
