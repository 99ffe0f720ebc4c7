package dev.relay.server.websocket;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.session.Session;

/**
 * What the transport tells observability: refused upgrades, connections opening and closing with their close code,
 * and the traffic in and out. Called on event loops: implementations must be cheap and must not block.
 */
public interface TransportEvents {
    TransportEvents NONE = new TransportEvents() {
    };

    /**
     * An upgrade request to /ws/connect was refused before the handshake.
     *
     * @param token the token the request carried, or null; for attributing authentication failures, never logged
     */
    default void handshakeRefused(String client, ErrorCode code, String detail, String token) {
    }

    /** A WebSocket connection completed its handshake and joined the hub. */
    default void opened(Session session, String client) {
    }

    /**
     * A connection that had joined the hub ended.
     *
     * @param code the close code: the one the server sent, else the client's, 1005 when the client's close frame had
     *             none, 1006 when the connection dropped without a close frame
     */
    default void closed(Session session, int code) {
    }

    /**
     * A message arrived: {@code type} is the client's {@code type} field (null when absent), {@code binary} for a
     * binary frame or {@code invalid} for a text frame that is not a valid message.
     */
    default void received(String type, int bytes) {
    }

    /** A frame's payload was sent to one connection outside the fan-out (welcome, answers, errors). */
    default void sent(int bytes) {
    }
}
