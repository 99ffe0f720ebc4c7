package dev.relay.server.proxy;

import dev.relay.core.protocol.ClientMessage;

/** Where a connection's decoded messages go, on its event loop: the hub, or the proxies first. */
@FunctionalInterface
public interface Inbox {
    void onMessage(ClientMessage message);
}
