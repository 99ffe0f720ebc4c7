package dev.relay.client;

import java.time.Duration;

/**
 * A change of {@link ConnectionState}.
 *
 * @param state       the new state
 * @param closeCode   for {@code DISCONNECTED}: the WebSocket close code, the HTTP status of a refused handshake, or 0
 *                    when the connection failed without one (a network error) or the application closed the client
 * @param reason      for {@code DISCONNECTED}: why, for people; empty otherwise
 * @param reconnectIn for {@code DISCONNECTED}: the delay before the next attempt, or null when the client will not
 *                    reconnect (a terminal close: refused token, kicked by an admin, closed by the application)
 */
public record StateChange(ConnectionState state, int closeCode, String reason, Duration reconnectIn) {

    /** True when a {@code DISCONNECTED} client will try again by itself. */
    public boolean reconnecting() {
        return reconnectIn != null;
    }
}
