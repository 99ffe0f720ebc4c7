package dev.relay.server.websocket;

import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;

/**
 * The WebSocket protocol handler's settings, the same for /ws/connect and every other protocol's endpoint: frames up
 * to max_message_size, extensions only with compression, protocol violations reported to the endpoint's own handler
 * (which sends the one close frame), pongs passed on to the heartbeat, the gate's handshake timeout.
 */
public final class WebSocketConfigs {
    private WebSocketConfigs() {
    }

    /**
     * @param path         the endpoint's path; the gate matched it exactly, so the query string is let through
     * @param subprotocols comma-separated subprotocols the endpoint speaks, or null for none
     */
    public static WebSocketServerProtocolConfig forEndpoint(String path, int maxMessageSize, boolean compression,
                                                            String subprotocols) {
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .checkStartsWith(true)
                .subprotocols(subprotocols)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxMessageSize)
                        .allowExtensions(compression)
                        .closeOnProtocolViolation(false)
                        .build())
                .handleCloseFrames(true)
                .dropPongFrames(false)
                .handshakeTimeoutMillis(HttpGateHandler.HANDSHAKE_TIMEOUT_MILLIS)
                .forceCloseTimeoutMillis(1_000)
                .build();
    }
}
