package dev.relay.server.websocket;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Relay's {@code /ws/...} inside a host application's own Netty pipeline, under a path prefix the host chooses
 * ({@code /chat} serves {@code /chat/ws/connect}, {@code /chat/ws/rooms}, ...): the Java counterpart of the design's
 * {@code RegisterWebSocketRoutes(router)}. The host puts one, new per channel, right after its HTTP codec.
 *
 * <p>Each request is judged by its path. One outside the prefix goes on to the host's handlers as if this handler
 * were not there; the pipeline of a connection that never asks for Relay is never changed. The first request for
 * Relay installs Relay's own handlers (the same list as Relay's port: aggregator, gate, frame rules, heartbeat) right
 * after this one, and from then on the host's requests skip over them to the host's handlers. A WebSocket upgrade
 * makes the connection Relay's for good: it also gets Relay's outbound budget ({@link BackpressureHandler}, where
 * {@link NettyConnection} writes its pre-framed bytes, so they pass through whatever the host has nearer the socket,
 * TLS included) and Relay's write-buffer water marks.
 *
 * <p>Not {@code @Sharable}: it remembers whose request the connection is reading.
 */
final class EmbeddedRelayHandler extends ChannelInboundHandlerAdapter {
    private static final String NAME_PREFIX = "relay-";

    private final String prefix;
    private final RelayChannelInitializer relay;
    private final WriteBufferWaterMark waterMark;
    /** The last of Relay's handlers once installed: the host's handlers come right after it. */
    private ChannelHandlerContext relayTail;
    /** The request being read (and, after an upgrade, the connection) is Relay's: its content and frames follow it. */
    private boolean relayOwns;

    EmbeddedRelayHandler(String prefix, RelayChannelInitializer relay, WriteBufferWaterMark waterMark) {
        this.prefix = prefix;
        this.relay = relay;
        this.waterMark = waterMark;
    }

    /**
     * {@code prefix} as this handler compares it: empty (Relay's paths as they are) or starting with {@code /},
     * without a trailing one.
     */
    static String normalizePrefix(String prefix) {
        String trimmed = prefix == null ? "" : prefix.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (!trimmed.isEmpty() && (!trimmed.startsWith("/") || trimmed.contains("?") || trimmed.contains("#"))) {
            throw new IllegalArgumentException("a path prefix starts with '/' and has no query or fragment: '"
                    + prefix + "'");
        }
        return trimmed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        // After an upgrade the host's codec is gone and only Relay's frames arrive: relayOwns stays true.
        if (message instanceof HttpRequest request) {
            String relayUri = relayUri(request.uri());
            relayOwns = relayUri != null;
            if (relayOwns) {
                request.setUri(relayUri); // Relay's gate and router know their paths without the host's prefix
                install(ctx, isUpgrade(request));
            }
        }
        if (relayOwns) {
            ctx.fireChannelRead(message);
        } else if (relayTail != null) {
            relayTail.fireChannelRead(message); // past Relay's handlers, to the host's
        } else {
            ctx.fireChannelRead(message);
        }
    }

    /** The request's URI as Relay sees it ({@code /ws/...}), or null when the path is not under the prefix. */
    String relayUri(String uri) {
        if (!uri.startsWith(prefix)) {
            return null;
        }
        String rest = uri.substring(prefix.length());
        int end = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String path = rest.substring(0, end);
        return path.equals("/ws") || path.startsWith("/ws/") ? rest : null;
    }

    private static boolean isUpgrade(HttpRequest request) {
        return request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private void install(ChannelHandlerContext ctx, boolean upgrade) {
        ChannelPipeline pipeline = ctx.pipeline();
        if (relayTail == null) {
            String after = ctx.name();
            for (RelayChannelInitializer.NamedHandler handler : relay.relayHandlers()) {
                String name = NAME_PREFIX + handler.name();
                pipeline.addAfter(after, name, handler.handler());
                after = name;
            }
            relayTail = pipeline.context(after);
        }
        if (upgrade && pipeline.get(BackpressureHandler.class) == null) {
            // Only for an upgrade: the host's own answers on a keep-alive connection stay under the host's rules.
            pipeline.addAfter(ctx.name(), NAME_PREFIX + "backpressure", relay.backpressure());
            ctx.channel().config().setWriteBufferWaterMark(waterMark);
        }
    }
}
