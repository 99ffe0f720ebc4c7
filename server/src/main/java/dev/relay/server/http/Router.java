package dev.relay.server.http;

import dev.relay.core.identity.Identity;
import dev.relay.core.policy.KeyedRateLimits;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.auth.BearerToken;
import dev.relay.server.auth.JwtVerifier;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Routes HTTP requests of one port to their handlers: finds the route, answers 404 and 405, checks the token of
 * authenticated routes, and turns refusals and failures into the error envelope. A port serves the routes it is
 * given: the public port the API, the internal port metrics, health and (if configured) the admin endpoints.
 */
public final class Router {
    private volatile KeyedRateLimits userLimits = new KeyedRateLimits(0, System::nanoTime, "REST requests");
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final List<Route> routes;
    private final JwtVerifier verifier;
    private final HttpResponses responses;
    private final RequestEvents events;

    /** A route as the OpenAPI document names it: upper-case method and path pattern; whether it needs a token. */
    public record Endpoint(String method, String path, boolean authenticated) {
    }

    /** Limits each user's requests (after authentication; unauthenticated routes are not counted). */
    public Router limitPerUser(KeyedRateLimits limits) {
        this.userLimits = limits;
        return this;
    }

    Router(List<Route> routes, JwtVerifier verifier, HttpResponses responses, RequestEvents events) {
        this.routes = List.copyOf(routes);
        this.verifier = verifier;
        this.responses = responses;
        this.events = events;
    }

    /** Every route this router serves. */
    public List<Endpoint> endpoints() {
        return routes.stream().map(route -> new Endpoint(route.method().name(), route.pattern(), route.authenticated())).toList();
    }

    /** Answers one request that is not a WebSocket upgrade. */
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.uri());
        } catch (ProtocolException malformed) {
            responses.error(ctx, HttpUtil.isKeepAlive(request), malformed);
            return;
        }
        handle(ctx, request, target);
    }

    /** Answers one request that is not a WebSocket upgrade, its target already read by the caller. */
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String[] path = target.segments();
        List<HttpMethod> allowed = new ArrayList<>(2);
        for (Route route : routes) {
            Map<String, String> parameters = route.match(path);
            if (parameters == null) {
                continue;
            }
            if (!route.method().equals(request.method())) {
                allowed.add(route.method());
                continue;
            }
            HttpResponses.startTiming(ctx, request.method().name(), route.pattern());
            dispatch(ctx, request, target, keepAlive, route, parameters);
            return;
        }
        HttpResponses.startTiming(ctx, request.method().name(), "unmatched");
        if (!allowed.isEmpty()) {
            responses.error(ctx, keepAlive, ErrorCode.METHOD_NOT_ALLOWED, request.method() + " is not supported here; use "
                    + allowed.stream().map(HttpMethod::name).collect(Collectors.joining(" or ")));
            return;
        }
        responses.error(ctx, keepAlive, ErrorCode.NOT_FOUND, "no such endpoint: " + target.path());
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target,
                          boolean keepAlive, Route route, Map<String, String> parameters) {
        QueryStringDecoder query = target.query();
        try {
            Identity identity = route.authenticated() ? authenticate(ctx, request, query) : null;
            if (identity != null) {
                userLimits.acquire(identity.userId());
            }
            refuseEncodedBody(request);
            route.handler().handle(new RestCall(ctx, request, target, parameters, identity, keepAlive));
        } catch (ProtocolException refused) {
            responses.error(ctx, keepAlive, refused);
        } catch (Exception e) {
            LOG.error("event=rest_error method={} path={}", request.method(), target.path(), e);
            responses.error(ctx, keepAlive, ErrorCode.INTERNAL_ERROR, "internal error");
        }
    }

    /**
     * Nothing here inflates request bodies, so the body limit counts the bytes as they come and a compressed body
     * can never carry more; say so instead of calling the compressed bytes bad JSON.
     */
    private static void refuseEncodedBody(FullHttpRequest request) {
        String encoding = request.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            throw new ProtocolException(ErrorCode.INVALID_JSON,
                    "the body must be uncompressed JSON; Content-Encoding '" + encoding + "' is not accepted");
        }
    }

    private Identity authenticate(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query) {
        String token = BearerToken.from(request, query);
        try {
            return verifier.verify(token);
        } catch (ProtocolException refused) {
            String client = ctx.channel().remoteAddress() instanceof InetSocketAddress address
                    ? address.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
            events.unauthorized(client, refused.getMessage(), token);
            throw refused;
        }
    }
}
