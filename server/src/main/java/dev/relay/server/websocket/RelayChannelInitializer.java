package dev.relay.server.websocket;

import dev.relay.core.Hub;
import dev.relay.server.access.ClientAddresses;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.config.HttpTimeoutConfig;
import dev.relay.server.http.BoundedHttpAggregator;
import dev.relay.server.http.HttpResponses;
import dev.relay.server.proxy.MessageProxies;
import dev.relay.server.tls.ServerTls;
import dev.relay.server.tls.TlsFailures;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds each connection's pipeline; holds no logic of its own. */
final class RelayChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** Bodies of REST requests are small JSON; a message body is limited again by max_message_size. */
    private static final int MIN_HTTP_BODY_BYTES = 16 * 1024;

    private final Settings settings;
    private final Hub hub;
    private final JsonCodec codec;
    private final HttpGateHandler gate;
    private final HttpResponses responses;
    private final TransportEvents events;
    private final WebSocketServerProtocolConfig protocolConfig;
    private final ClientAddresses addresses;
    private final MessageProxies proxies;
    private final Optional<ServerTls> tls;
    private final ControlMessages controls;

    /** The slice of the configuration the pipeline needs. */
    record Settings(int maxMessageSize, boolean compression, Duration pingPeriod, Duration pongWait,
                    Duration writeWait, long outboundLimitBytes, HttpTimeoutConfig httpTimeouts) {
    }

    RelayChannelInitializer(Settings settings, Hub hub, JsonCodec codec, HttpGateHandler gate,
                            HttpResponses responses, TransportEvents events, ClientAddresses addresses,
                            MessageProxies proxies, ControlMessages controls, Optional<ServerTls> tls) {
        this.settings = settings;
        this.proxies = proxies;
        this.controls = controls;
        this.tls = tls;
        this.addresses = addresses;
        this.events = events;
        this.hub = hub;
        this.codec = codec;
        this.gate = gate;
        this.responses = responses;
        this.protocolConfig = WebSocketConfigs.forEndpoint(HttpGateHandler.CONNECT_PATH, settings.maxMessageSize(),
                settings.compression(), null);
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        // Nearest the socket: everything after it, the byte budgets included, sees plain bytes.
        tls.ifPresent(contexts -> pipeline.addLast("tls", contexts.publicHandler(channel.alloc()))
                .addLast("tls-failures", TlsFailures.INSTANCE));
        pipeline.addLast("backpressure", backpressure());
        pipeline.addLast("http-codec", new HttpServerCodec());
        if (gate.perAddressSlots().max() > 0) {
            pipeline.addLast("peer-slots", new PeerAddressSlots(gate.perAddressSlots(), addresses, responses));
        }
        pipeline.addLast("http-timeouts", new HttpReadTimeouts(settings.httpTimeouts()));
        for (NamedHandler handler : relayHandlers()) {
            pipeline.addLast(handler.name(), handler.handler());
        }
    }

    /** A handler and the name it has in the pipeline. */
    record NamedHandler(String name, ChannelHandler handler) {
    }

    /**
     * One connection's handlers after the HTTP codec, from request aggregation to the WebSocket frames, in pipeline
     * order and new each call: this port's pipeline and a host's ({@link EmbeddedRelayHandler}) are built from the
     * same list, so both serve exactly the same gate, API and frame rules.
     */
    List<NamedHandler> relayHandlers() {
        List<NamedHandler> handlers = new ArrayList<>();
        handlers.add(new NamedHandler("http-aggregator",
                new BoundedHttpAggregator(Math.max(MIN_HTTP_BODY_BYTES, settings.maxMessageSize()), responses)));
        if (settings.compression()) {
            handlers.add(new NamedHandler("ws-compression", new WebSocketServerExtensionHandler(
                    new BoundedDeflateHandshaker(settings.maxMessageSize()))));
        }
        handlers.add(new NamedHandler("http-gate", gate));
        WebSocketFrameHandler frames = new WebSocketFrameHandler(hub, codec, settings.outboundLimitBytes(), events,
                proxies, controls);
        handlers.add(new NamedHandler("ws-guard", new FrameGuard(frames)));
        handlers.add(new NamedHandler("ws-protocol", new WebSocketServerProtocolHandler(protocolConfig)));
        handlers.add(new NamedHandler("ws-aggregator", new WebSocketFrameAggregator(settings.maxMessageSize())));
        handlers.add(new NamedHandler("heartbeat", new HeartbeatHandler(settings.pingPeriod(), settings.pongWait())));
        handlers.add(new NamedHandler("ws-frames", frames));
        return handlers;
    }

    /** The budget of a connection's outbound bytes (see {@link BackpressureHandler}), new each call. */
    BackpressureHandler backpressure() {
        return new BackpressureHandler(settings.writeWait(), settings.outboundLimitBytes());
    }
}
