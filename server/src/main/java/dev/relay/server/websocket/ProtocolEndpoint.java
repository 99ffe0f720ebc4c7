package dev.relay.server.websocket;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;

import java.util.concurrent.CompletableFuture;

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
     * on the channel's event loop, before the handshake runs. {@code admission} is null for an upgrade that
     * continues a connection already admitted ({@link #isNewConnection} false).
     */
    void install(ChannelPipeline pipeline, Admission admission);

    /**
     * Whether a request opens a new connection, which the connects-per-minute limit counts and which takes
     * connection slots; false for the requests of one the endpoint already holds (a long-polling session's).
     */
    default boolean isNewConnection(QueryStringDecoder query) {
        return true;
    }

    /** Whether plain HTTP requests (long-polling) are the endpoint's too; otherwise they get 426. */
    default boolean servesPlainHttp() {
        return false;
    }

    /**
     * A plain HTTP request to the path, past the IP, country and origin checks; {@code admission} holds the slots of
     * a new connection (else null), and the endpoint must {@link Admission#end} it when that connection ends.
     */
    default void handlePlainHttp(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query,
                                 Admission admission) {
        throw new UnsupportedOperationException(path() + " serves WebSocket upgrades only");
    }

    /** What the gate learned and still holds for an admitted upgrade. */
    interface Admission {
        /** The client's address as the gate resolved it (behind trusted proxies, from the forwarding headers). */
        String clientAddress();

        /** The JWT of the upgrade request ({@code Authorization: Bearer} or {@code ?token=}), or null. */
        String upgradeToken();

        /**
         * Takes the user's connection slot ({@code max_connections_per_user}), held until {@link #end}: this node's
         * at once, throwing {@code connection_limit} when the user has none left here; in a cluster then the
         * cluster's, which the returned future answers later, on any thread, failing with a
         * {@link dev.relay.core.protocol.ProtocolException} ({@code connection_limit}) when the user has none left
         * there. The protocol's connect frame waits for that answer. Once per connection, on its loop.
         */
        CompletableFuture<Void> takeUserSlot(String userId);

        /** Gives back every slot held. Idempotent; the gate calls it when an upgraded channel closes. */
        void end();
    }
}
