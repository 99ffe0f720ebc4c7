package dev.relay.server.websocket;

import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.session.Session;

/**
 * Client messages the server answers itself, before the hub sees them (the analytics subscription): offered every
 * decoded text message on the connection's event loop. Implementations must be cheap and must not block.
 */
public interface ControlMessages {
    /** Handles nothing. */
    ControlMessages NONE = new ControlMessages() {
        @Override
        public boolean handle(Session session, ClientMessage message) {
            return false;
        }

        @Override
        public void closed(Session session) {
        }
    };

    /** True when the message was this one's to answer (answered or refused); the hub then never sees it. */
    boolean handle(Session session, ClientMessage message);

    /** The connection ended: forget what it held. */
    void closed(Session session);
}
