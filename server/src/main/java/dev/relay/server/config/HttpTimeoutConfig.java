package dev.relay.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a connection still speaking HTTP (not, or not yet, a WebSocket) may keep the server waiting for it.
 *
 * @param header a request head, from its first byte (from the opening, for a connection's first request)
 * @param body   a request body, from the end of its head
 * @param idle   the next request, after the last answer
 */
public record HttpTimeoutConfig(Duration header, Duration body, Duration idle) {
    public HttpTimeoutConfig {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(idle, "idle");
    }
}
