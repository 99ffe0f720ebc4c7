package dev.relay.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One proxy to the application's backend ({@code proxy_connect_*}, {@code proxy_publish_*}, {@code proxy_rpc_*}).
 *
 * @param url      where to POST; empty: this proxy is off
 * @param timeout  how long one call may take; then it counts as the backend being down
 * @param headers  request headers of the client copied to the call (names, any case); others are not sent
 * @param failOpen when the backend is down or answers nonsense: true lets the connection or message through (as
 *                 if no proxy were configured), false (the default) refuses it with {@code unavailable}
 */
public record ProxyConfig(Optional<URI> url, Duration timeout, List<String> headers, boolean failOpen) {
    public ProxyConfig {
        headers = List.copyOf(headers);
    }

    public boolean enabled() {
        return url.isPresent();
    }
}
