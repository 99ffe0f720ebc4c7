package dev.relay.server.stomp;

import dev.relay.core.Hub;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.websocket.ProtocolEndpoint;
import dev.relay.server.websocket.WebSocketConfigs;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.stomp.StompSubframeAggregator;
import io.netty.handler.codec.stomp.StompSubframeDecoder;

import java.time.Duration;

/**
 * {@code /ws/stomp}: the gate's checks, then STOMP frames in WebSocket text frames (subprotocols {@code v12.stomp}
 * and {@code v11.stomp}), decoded by Netty's STOMP codec and mapped onto the hub by {@link StompSession}.
 */
public final class StompEndpoint implements ProtocolEndpoint {
    public static final String PATH = "/ws/stomp";
    /** The WebSocket subprotocols offered, best first; a client that offers none still gets STOMP. */
    static final String SUBPROTOCOLS = "v12.stomp,v11.stomp";

    private final Settings settings;
    private final Hub hub;
    private final JsonCodec codec;
    private final JwtVerifier verifier;
    private final WebSocketServerProtocolConfig protocolConfig;

    /**
     * @param heartbeat          the server's heart-beat offer, both ways: Relay's {@code ping_period}
     * @param heartbeatGrace     how late a client's heart-beat may be before the connection is closed: {@code pong_wait}
     * @param outboundLimitBytes the hard bound on what one connection may have queued, as for {@code /ws/connect}
     * @param connectRoom        the room the connection starts in, as {@code /ws/connect} without {@code room_id}
     * @param compression        whether permessage-deflate may be negotiated (the gate's pipeline offers it)
     */
    public record Settings(int maxMessageSize, boolean compression, Duration heartbeat, Duration heartbeatGrace, long outboundLimitBytes,
                           String connectRoom) {
    }

    public StompEndpoint(Settings settings, Hub hub, JsonCodec codec, JwtVerifier verifier) {
        this.settings = settings;
        this.hub = hub;
        this.codec = codec;
        this.verifier = verifier;
        this.protocolConfig = WebSocketConfigs.forEndpoint(PATH, settings.maxMessageSize(), settings.compression(),
                SUBPROTOCOLS);
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
    public void install(ChannelPipeline pipeline, Admission admission) {
        int max = settings.maxMessageSize();
        pipeline.addLast(StompSession.BYTES, new WebSocketBytes());
        // A header line (a JWT as passcode) and the body are each bounded by the WebSocket frame already.
        pipeline.addLast("stomp-decoder", new StompSubframeDecoder(max, max));
        pipeline.addLast("stomp-aggregator", new StompSubframeAggregator(max));
        pipeline.addLast("stomp-encoder", new StompWebSocketEncoder());
        pipeline.addLast("stomp", new StompSession(settings, hub, codec, verifier, admission));
    }
}
