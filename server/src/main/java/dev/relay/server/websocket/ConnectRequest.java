package dev.relay.server.websocket;

import dev.relay.core.history.StreamPosition;
import dev.relay.core.identity.Identity;

import java.time.Duration;
import java.time.Instant;

/**
 * What the upgrade gate accepted, handed to the channel's {@link WebSocketFrameHandler} until the handshake completes.
 *
 * @param resumeFrom     where the client left the connect room ({@code since} and {@code epoch} query parameters), or null
 * @param tokenExpiresAt the token's {@code exp}
 * @param tokenGrace     how long past {@code exp} the connection may stay (the configured clock skew)
 * @param proxyHeaders   the upgrade's headers the publish and rpc proxies forward, by lower-case name
 * @param connectData    the connect proxy's {@code data} for the welcome's {@code connect_data}, or null
 */
record ConnectRequest(Identity identity, String roomId, StreamPosition resumeFrom, Instant tokenExpiresAt,
                      Duration tokenGrace, java.util.Map<String, String> proxyHeaders, Object connectData) {
}
