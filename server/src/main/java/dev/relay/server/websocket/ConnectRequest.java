package dev.relay.server.websocket;

import dev.relay.core.session.Identity;
import io.netty.util.AttributeKey;

/** What the upgrade gate accepted, carried on the channel until the handshake completes. */
record ConnectRequest(Identity identity, String roomId) {
    static final AttributeKey<ConnectRequest> KEY = AttributeKey.valueOf("relay.connect");
}
