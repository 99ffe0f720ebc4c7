package dev.relay.server.websocket;

import dev.relay.core.Hub;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.identity.Identity;
import dev.relay.core.policy.KeyedRateLimits;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.room.RoomIds;
import dev.relay.core.room.RoomRegistry;
import dev.relay.server.access.IpPolicy;
import dev.relay.server.access.OriginPolicy;
import dev.relay.server.auth.BearerToken;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.http.HttpResponses;
import dev.relay.server.http.RequestTarget;
import dev.relay.server.http.Router;
import dev.relay.server.proxy.ConnectProxy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The first stop of every HTTP request: the IP lists apply to everything; {@code /ws/connect} upgrades pass the
 * origin, token, room and connection-limit checks here, before any WebSocket exists, and are refused with an HTTP
 * error in the envelope; upgrades to a {@link ProtocolEndpoint} (STOMP) pass the same checks but the token's;
 * every other request goes to the REST API.
 */
@ChannelHandler.Sharable
final class HttpGateHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String CONNECT_PATH = "/ws/connect";
    static final String DEFAULT_ROOM = "general";
    /** How long an admitted upgrade may take before its channel is closed and its slots freed. */
    static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /** The name WebSocketServerProtocolHandler gives the handshaker it adds (a class Netty keeps private). */
    private static final String HANDSHAKER_NAME =
            "io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandshakeHandler";
    private static final Logger LOG = LoggerFactory.getLogger(HttpGateHandler.class);

    private final Hub hub;
    private final JwtVerifier verifier;
    private final IpPolicy ipPolicy;
    private final OriginPolicy originPolicy;
    private final ConnectionSlots slots;
    private final Router router;
    private final HttpResponses responses;
    private final TransportEvents events;
    private final ConnectLimits limits;
    private final KeyedSlots perUser;
    private final KeyedSlots perAddress;
    private final KeyedRateLimits connectRate;
    private final ConnectProxy connectProxy;
    /** Upgrade headers the message proxies forward (lower case); kept with the connection. */
    private final Set<String> proxyHeaders;
    private final List<ProtocolEndpoint> endpoints;

    HttpGateHandler(Hub hub, JwtVerifier verifier, IpPolicy ipPolicy, OriginPolicy originPolicy,
                    ConnectionSlots slots, Router router, HttpResponses responses, TransportEvents events,
                    ConnectLimits limits, ConnectProxy connectProxy, Set<String> proxyHeaders,
                    List<ProtocolEndpoint> endpoints) {
        this.connectProxy = connectProxy;
        this.proxyHeaders = proxyHeaders;
        this.limits = limits;
        this.endpoints = List.copyOf(endpoints);
        this.perUser = new KeyedSlots(limits.perUser());
        this.perAddress = new KeyedSlots(limits.perAddress());
        this.connectRate = limits.connectRate();
        this.hub = hub;
        this.verifier = verifier;
        this.ipPolicy = ipPolicy;
        this.originPolicy = originPolicy;
        this.slots = slots;
        this.router = router;
        this.responses = responses;
        this.events = events;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            responses.error(ctx, false, HttpResponseStatus.BAD_REQUEST, ErrorCode.INVALID_FIELD,
                    "malformed HTTP request");
            return;
        }
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.uri());
        } catch (ProtocolException malformed) {
            // A client's mistake, not the server's: no stack trace, and not a line per request at INFO.
            LOG.debug("event=malformed_target client={}", ctx.channel().remoteAddress());
            responses.error(ctx, false, malformed);
            return;
        }
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        InetAddress clientAddress = limits.addresses().resolve(peer.getAddress(),
                request.headers().getAll("Forwarded"),
                request.headers().getAll("X-Forwarded-For"));
        String client = clientAddress.getHostAddress();
        ctx.channel().attr(NettyConnection.CLIENT_ADDRESS).set(client);
        if (!ipPolicy.allows(clientAddress)) {
            LOG.info("event=refused reason=ip client={}", client);
            if (target.is(CONNECT_PATH) || endpointFor(target) != null) {
                events.handshakeRefused(client, ErrorCode.IP_FORBIDDEN, "address not allowed", null);
            }
            responses.error(ctx, false, ErrorCode.IP_FORBIDDEN, "connections from your address are not allowed");
            return;
        }
        if (!limits.geo().allows(clientAddress)) {
            LOG.info("event=refused reason=geo client={} country={}", client,
                    limits.geo().country(clientAddress).orElse("unknown"));
            responses.error(ctx, false, ErrorCode.IP_FORBIDDEN, "connections from your country are not allowed");
            return;
        }
        ProtocolEndpoint endpoint = endpointFor(target);
        if (endpoint != null) {
            admitEndpoint(ctx, request, target, client, endpoint);
            return;
        }
        if (!target.is(CONNECT_PATH)) {
            router.handle(ctx, request, target);
            return;
        }
        QueryStringDecoder query = target.query();
        // Netty's handshaker matches the raw URI; it gets the path this gate matched, so what was admitted is
        // upgraded and never left unanswered while it holds slots.
        request.setUri(target.withPath(CONNECT_PATH));
        try {
            // Before the token is checked: a handshake flood must not make the server verify signatures.
            connectRate.acquire(client);
            requireUpgrade(request, CONNECT_PATH);
            requireOrigin(request);
            String token = BearerToken.from(request, query);
            if (!connectProxy.enabled()) {
                admitted(ctx, request, query, client, verifier.check(token), null);
                return;
            }
            JwtVerifier.Verified byToken = connectProxy.replacesJwt() ? null : validToken(token);
            if (byToken == null) {
                askConnectProxy(ctx, request, query, client, token);
                return;
            }
            admitted(ctx, request, query, client, byToken, null);
        } catch (ProtocolException refused) {
            refuse(ctx, request, query, client, refused);
        }
    }

    /**
     * The rest of the checks once the user is known (by token or by the connect proxy), then the upgrade;
     * {@code connectData} is the connect proxy's {@code data} for the welcome, or null.
     */
    private void admitted(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query,
                          String client, JwtVerifier.Verified user, Object connectData) {
        ConnectRequest accepted = admit(request, query, user, connectData);
        takeSlots(ctx, client, accepted.identity().userId());
        closeUnlessUpgradedIn(ctx, HANDSHAKE_TIMEOUT_MILLIS);
        if (limits.perUser() > 0 && limits.perUserShared() != SharedUserSlots.NONE) {
            takeSharedSlot(ctx, request, query, client, accepted);
            return;
        }
        upgrade(ctx, request.retain(), accepted);
    }

    /** The token's user, or null when there is no valid token (proxy_connect_mode: without_valid_jwt asks then). */
    private JwtVerifier.Verified validToken(String token) {
        try {
            return verifier.check(token);
        } catch (ProtocolException invalid) {
            return null;
        }
    }

    /**
     * Asks the backend who this is, the request waiting (and the channel not reading) meanwhile, as for the shared
     * slot below; the answer comes back to this loop. Down and failing open: judged by the token as without a proxy.
     */
    private void askConnectProxy(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query,
                                 String client, String token) {
        CompletableFuture<ConnectProxy.Decision> asked = connectProxy.decide(ctx.channel().id().asShortText(),
                client, request.headers(), query.parameters(), token);
        ctx.channel().config().setAutoRead(false);
        FullHttpRequest waiting = request.retain();
        asked.whenComplete((decision, failure) -> ctx.executor().execute(() -> {
            ctx.channel().config().setAutoRead(true);
            try {
                if (!ctx.channel().isActive()) {
                    return;
                }
                ConnectProxy.Decision answer = failure == null ? decision
                        : new ConnectProxy.Decision.Unavailable(failure.toString());
                switch (answer) {
                    case ConnectProxy.Decision.Accepted user -> admitted(ctx, waiting, query, client,
                            new JwtVerifier.Verified(user.identity(), user.expiresAt(), user.identity().rooms()),
                            user.connectData());
                    case ConnectProxy.Decision.Refused refused -> refuseByBackend(ctx, waiting, query, client,
                            refused);
                    case ConnectProxy.Decision.Unavailable down -> {
                        if (!connectProxy.failOpen()) {
                            throw new ProtocolException(ErrorCode.UNAVAILABLE, "the connection could not be"
                                    + " checked (connect proxy unavailable); retry later");
                        }
                        admitted(ctx, waiting, query, client, verifier.check(token), null);
                    }
                }
            } catch (ProtocolException refused) {
                refuse(ctx, waiting, query, client, refused);
            } catch (RuntimeException bug) {
                LOG.error("event=connect_proxy_error client={}", client, bug);
                ctx.close();
            } finally {
                waiting.release();
            }
        }));
    }

    /** The backend's refusal, with its own code (which need not be one of Relay's), in the REST error envelope. */
    private void refuseByBackend(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query,
                                 String client, ConnectProxy.Decision.Refused refused) {
        LOG.info("event=refused reason=proxy code={} client={} detail=\"{}\"", refused.code(), client,
                refused.message());
        events.handshakeRefused(client, refused.status() == 401 ? ErrorCode.UNAUTHORIZED : ErrorCode.FORBIDDEN,
                refused.message(), BearerToken.from(request, query));
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", refused.code());
        error.put("message", refused.message());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", error);
        responses.json(ctx, false, HttpResponseStatus.valueOf(refused.status()), body);
    }

    private ProtocolEndpoint endpointFor(RequestTarget target) {
        for (ProtocolEndpoint endpoint : endpoints) {
            if (target.is(endpoint.path())) {
                return endpoint;
            }
        }
        return null;
    }

    /**
     * An upgrade to another protocol's endpoint: the same checks as {@code /ws/connect} except the token and the
     * user's slot, which the endpoint takes from its protocol's connect frame; then {@code /ws/connect}'s frame
     * handlers make way for the endpoint's.
     */
    private void admitEndpoint(ChannelHandlerContext ctx, FullHttpRequest request, RequestTarget target,
                               String client, ProtocolEndpoint endpoint) {
        QueryStringDecoder query = target.query();
        request.setUri(target.withPath(endpoint.path()));
        boolean upgrade = isUpgrade(request);
        EndpointAdmission admission = null;
        try {
            if (!upgrade && !endpoint.servesPlainHttp()) {
                requireUpgrade(request, endpoint.path());
            }
            requireOrigin(request);
            if (endpoint.isNewConnection(query)) {
                // Before any token is checked: a handshake flood must not make the server verify signatures.
                connectRate.acquire(client);
                admission = new EndpointAdmission(client, BearerToken.from(request, query),
                        ctx.channel().id().asLongText(), slots, perAddress, perUser, limits.perUserShared());
                admission.takeConnectionSlots(client.equals(ctx.channel().attr(PeerAddressSlots.HELD).get()));
            }
        } catch (ProtocolException refused) {
            refuse(ctx, request, query, client, refused);
            return;
        }
        if (!upgrade) {
            // Long-polling: the endpoint's session, not this socket, holds the slots; it ends the admission.
            endpoint.handlePlainHttp(ctx, request, query, admission);
            return;
        }
        if (admission != null) {
            EndpointAdmission held = admission;
            ctx.channel().closeFuture().addListener(closed -> held.end());
        }
        closeUnlessUpgradedIn(ctx, HANDSHAKE_TIMEOUT_MILLIS);
        ChannelPipeline pipeline = ctx.pipeline();
        // WebSocketServerProtocolHandler added its handshaker (a Netty-private class, so by name) and UTF-8 check
        // in front of itself when the channel was set up; the endpoint's protocol handler adds its own.
        // RFC 6455's rules that Netty lets through hold for every endpoint; /ws/connect's ping charge does not.
        pipeline.replace("ws-guard", "ws-guard", FrameGuard.forEndpoint());
        pipeline.remove("ws-frames");
        pipeline.remove(HANDSHAKER_NAME);
        if (pipeline.get(Utf8FrameValidator.class) != null) {
            pipeline.remove(Utf8FrameValidator.class);
        }
        pipeline.replace("ws-protocol", "ws-protocol", new WebSocketServerProtocolHandler(endpoint.protocolConfig()));
        endpoint.install(pipeline, admission);
        ctx.fireChannelRead(request.retain());
    }

    private static boolean isUpgrade(FullHttpRequest request) {
        return request.method().equals(HttpMethod.GET)
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest retained, ConnectRequest accepted) {
        ctx.pipeline().get(WebSocketFrameHandler.class).admitted(accepted);
        ctx.fireChannelRead(retained); // on to WebSocketServerProtocolHandler for the handshake
    }

    /**
     * An admitted request holds connection slots until its channel closes, so it must end: upgraded, answered with
     * an error (which closes), or closed here when neither happened in time, whatever the handshaker did with it.
     */
    private static void closeUnlessUpgradedIn(ChannelHandlerContext ctx, long millis) {
        Channel channel = ctx.channel();
        ScheduledFuture<?> deadline = ctx.executor().schedule(() -> {
            // Upgraded: /ws/connect's handler has its connection; another endpoint's handshake removed this gate.
            if (channel.isActive() && WebSocketFrameHandler.connectionOf(ctx) == null && !ctx.isRemoved()) {
                LOG.info("event=handshake_timeout client={}", channel.attr(NettyConnection.CLIENT_ADDRESS).get());
                channel.close();
            }
        }, millis, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(closed -> deadline.cancel(false));
    }

    private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query, String client,
                        ProtocolException refused) {
        LOG.info("event=refused reason={} client={} detail=\"{}\"", refused.code().code(), client,
                refused.getMessage());
        events.handshakeRefused(client, refused.code(), refused.getMessage(), BearerToken.from(request, query));
        responses.error(ctx, false, refused);
    }

    /**
     * The user's slot across the cluster, once this node's own count has room: asked of the shared store without
     * blocking the loop, the request waiting (and the channel not reading) meanwhile. While the store cannot be
     * reached the node's own count stands alone, so connecting keeps working through an outage.
     */
    private void takeSharedSlot(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query,
                                String client, ConnectRequest accepted) {
        String userId = accepted.identity().userId();
        String connectionId = ctx.channel().id().asLongText();
        SharedUserSlots shared = limits.perUserShared();
        // Registered first: a channel that closes while the answer is on its way still gives the slot back.
        ctx.channel().closeFuture().addListener(closed -> shared.release(userId, connectionId));
        ctx.channel().config().setAutoRead(false);
        FullHttpRequest waiting = request.retain();
        shared.tryAcquire(userId, connectionId).whenComplete((taken, failure) -> ctx.executor().execute(() -> {
            ctx.channel().config().setAutoRead(true);
            if (!ctx.channel().isActive()) {
                waiting.release();
                return;
            }
            if (failure != null) {
                LOG.warn("event=shared_connection_limit_unavailable user={} cause=\"{}\"", userId,
                        failure.toString());
            } else if (!taken) {
                try {
                    refuse(ctx, waiting, query, client, new ProtocolException(ErrorCode.CONNECTION_LIMIT, "user '"
                            + userId + "' already has " + limits.perUser() + " connections across the cluster, the"
                            + " most allowed (max_connections_per_user)"));
                } finally {
                    waiting.release();
                }
                return;
            }
            upgrade(ctx, waiting, accepted);
        }));
    }

    /** The global, per-address and per-user connection slots, all or none; released when the channel closes. */
    private void takeSlots(ChannelHandlerContext ctx, String client, String userId) {
        if (!slots.tryAcquire()) {
            throw new ProtocolException(ErrorCode.TOO_MANY_CONNECTIONS,
                    "the server is at its limit of " + slots.max() + " connections; retry later");
        }
        // A socket from a peer that is not a proxy has held its address's slot since it opened: it counts once.
        boolean addressCounted = client.equals(ctx.channel().attr(PeerAddressSlots.HELD).get());
        if (!addressCounted && !perAddress.tryAcquire(client)) {
            slots.release();
            throw new ProtocolException(ErrorCode.CONNECTION_LIMIT, "your address already has " + perAddress.max()
                    + " connections, the most allowed (max_connections_per_ip)");
        }
        if (!perUser.tryAcquire(userId)) {
            slots.release();
            if (!addressCounted) {
                perAddress.release(client);
            }
            throw new ProtocolException(ErrorCode.CONNECTION_LIMIT, "user '" + userId + "' already has "
                    + perUser.max() + " connections, the most allowed (max_connections_per_user)");
        }
        ctx.channel().closeFuture().addListener(closed -> {
            slots.release();
            if (!addressCounted) {
                perAddress.release(client);
            }
            perUser.release(userId);
        });
    }

    /** The per-address count, shared with {@link PeerAddressSlots}, which counts sockets from their opening. */
    KeyedSlots perAddressSlots() {
        return perAddress;
    }

    private static void requireUpgrade(FullHttpRequest request, String path) {
        if (!request.method().equals(HttpMethod.GET)
                || !request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            throw new ProtocolException(ErrorCode.UPGRADE_REQUIRED,
                    path + " speaks WebSocket: connect with a WebSocket client (GET with 'Upgrade: websocket')");
        }
    }

    private void requireOrigin(FullHttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (!originPolicy.allows(origin, request.headers().get(HttpHeaderNames.HOST))) {
            throw new ProtocolException(ErrorCode.ORIGIN_NOT_ALLOWED,
                    "origin '" + origin + "' may not connect; add it to allowed_origins");
        }
    }

    private ConnectRequest admit(FullHttpRequest request, QueryStringDecoder query, JwtVerifier.Verified token,
                                 Object connectData) {
        Identity identity = token.identity();
        List<String> rooms = query.parameters().get("room_id");
        String roomId = rooms == null || rooms.getFirst().isEmpty() ? DEFAULT_ROOM : rooms.getFirst();
        if (!RoomIds.isValid(roomId)) {
            throw new ProtocolException(ErrorCode.INVALID_ROOM_ID, "invalid room_id: " + RoomIds.RULE);
        }
        if (!hub.queries().roomExists(roomId)) {
            throw RoomRegistry.notFound(roomId);
        }
        hub.queries().roomAccess().requireEntry(identity, roomId);
        Map<String, String> kept = new LinkedHashMap<>();
        if (!proxyHeaders.isEmpty()) {
            request.headers().forEach(header -> {
                String name = header.getKey().toLowerCase(Locale.ROOT);
                if (proxyHeaders.contains(name)) {
                    kept.merge(name, header.getValue(), (first, next) -> first + ", " + next);
                }
            });
        }
        return new ConnectRequest(identity, roomId, resumePosition(query), token.expiresAt(), verifier.clockSkew(),
                Map.copyOf(kept), connectData);
    }

    /** {@code since} and {@code epoch} together ask to resume the connect room; one without the other is a mistake. */
    private static StreamPosition resumePosition(QueryStringDecoder query) {
        List<String> since = query.parameters().get("since");
        List<String> epoch = query.parameters().get("epoch");
        if (since == null && epoch == null) {
            return null;
        }
        if (since == null || epoch == null || epoch.getFirst().isEmpty()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "resuming on connect needs both 'since' and 'epoch'");
        }
        try {
            long position = Long.parseLong(since.getFirst());
            if (position < 0) {
                throw new NumberFormatException();
            }
            return new StreamPosition(epoch.getFirst(), position);
        } catch (NumberFormatException e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'since' must be a whole number, 0 or more");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A socket closed mid-request (by its client, or by the HTTP timeouts) is routine, not a server error.
        if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            LOG.debug("event=connection_lost client={} cause=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.error("event=http_error client={}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
