package dev.relay.server.websocket;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.session.Identity;
import io.netty.util.AttributeKey;

/**
 * What the upgrade gate accepted, carried on the channel until the handshake completes.
 *
 * @param resumeFrom where the client left the connect room ({@code since} and {@code epoch} query parameters), or null
 */
record ConnectRequest(Identity identity, String roomId, StreamPosition resumeFrom) {
    static final AttributeKey<ConnectRequest> KEY = AttributeKey.valueOf("relay.connect");
}
