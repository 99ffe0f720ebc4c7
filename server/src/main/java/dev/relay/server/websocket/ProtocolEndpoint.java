package dev.relay.server.websocket;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;

/**
 * A WebSocket endpoint beside {@code /ws/connect} that speaks another protocol (STOMP at {@code /ws/stomp}). The gate
 * gives it the same checks before the upgrade (IP, country, connects per minute, origin, the server's and the
 * address's connection slots), then swaps {@code /ws/connect}'s frame handlers for the endpoint's: the endpoint only
 * maps its protocol onto the hub. Who the user is, and so the user's slot, is known later, from the protocol's own
 * connect frame, hence {@link Admission#takeUserSlot}.
 */
public interface ProtocolEndpoint {
    /** The exact path, as {@code /ws/connect} is matched. */
    String path();

    /** The handshake's settings: the path, subprotocols, frame size. */
    WebSocketServerProtocolConfig protocolConfig();

    /**
     * Adds the endpoint's handlers at the end of the pipeline, after the WebSocket protocol handler and heartbeat;
     * on the channel's event loop, before the handshake runs.
     */
    void install(ChannelPipeline pipeline, Admission admission);

    /** What the gate learned and still holds for an admitted upgrade. */
    interface Admission {
        /** The client's address as the gate resolved it (behind trusted proxies, from the forwarding headers). */
        String clientAddress();

        /** The JWT of the upgrade request ({@code Authorization: Bearer} or {@code ?token=}), or null. */
        String upgradeToken();

        /**
         * Takes the user's connection slot ({@code max_connections_per_user}, on this node), held until the channel
         * closes; throws {@code connection_limit} when the user has none left. Once per channel, on its loop.
         */
        void takeUserSlot(String userId);
    }
}
