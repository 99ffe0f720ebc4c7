package dev.relay.bench.load;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One run of the generator, every option resolved.
 *
 * @param rate            messages a second published by all publishers together; 0 = as fast as the server echoes
 *                        them, with at most {@code window} of each publisher's own messages in flight
 * @param size            bytes of each message's content (at least the payload's own header, about 25 bytes)
 * @param duration        how long the measured part lasts (idle: how long the connections are held)
 * @param users           distinct user ids the connections cycle through (connect, idle); 0 = one per connection
 * @param serverPids      the server's pid for RSS and CPU figures (a cluster's: one per node, summed), empty when
 *                        unknown
 * @param sourceAddresses loopback source addresses to spread connections over (127.0.0.1, .2, ...)
 * @param json            where to write the result as JSON, null for none, "-" for standard output
 * @param transport       the generator's I/O transport: epoll, io_uring or nio (falls back to epoll, then NIO)
 * @param deflate         offer permessage-deflate in every handshake, as browsers do (and inflate what comes back)
 */
public record LoadSettings(Scenario scenario, Target target, URI url, int clients, int publishers, double rate,
                           int size, Duration duration, Duration warmup, int window, int threads, String secret,
                           String room, int rooms, int users, int concurrency, List<Long> serverPids, int sourceAddresses,
                           Path json, String label, Duration drain, boolean quiet, List<URI> nodes,
                           String transport, boolean deflate) {
    public LoadSettings {
        nodes = nodes == null || nodes.isEmpty() ? List.of(url) : List.copyOf(nodes);
        serverPids = serverPids == null ? List.of() : List.copyOf(serverPids);
        if (deflate && scenario != Scenario.IDLE && scenario != Scenario.CONNECT) {
            // The generator inflates only to see the welcome; its payload accounting reads uncompressed frames.
            throw new IllegalArgumentException("--deflate is for the idle and connect scenarios");
        }
        if (!List.of("epoll", "io_uring", "nio").contains(transport)) {
            throw new IllegalArgumentException("--transport is epoll, io_uring or nio, not '" + transport + "'");
        }
        if (clients < 1) {
            throw new IllegalArgumentException("--clients must be at least 1");
        }
        if (publishers < 0 || rate < 0 || size < 0 || window < 0 || threads < 1 || rooms < 1 || users < 0
                || concurrency < 1 || sourceAddresses < 1) {
            throw new IllegalArgumentException("counts, rates and sizes are never negative");
        }
        if (scenario.publishes() && rate == 0 && window == 0) {
            throw new IllegalArgumentException("--rate 0 (as fast as possible) needs a --window above 0");
        }
        if (target.needsToken() && (secret == null || secret.length() < 32)) {
            throw new IllegalArgumentException(
                    "--target relay needs the server's jwt secret (32+ bytes): --secret or WS_JWT_SECRET");
        }
        if (target != Target.RELAY && (scenario == Scenario.ROOMS || scenario == Scenario.PRIVATE)) {
            throw new IllegalArgumentException(scenario.command() + " needs --target relay: broadcast servers have "
                    + "no rooms and no private messages");
        }
        if (scenario == Scenario.ROOMS && rooms > clients) {
            throw new IllegalArgumentException("--rooms must not exceed --clients");
        }
        if (scenario == Scenario.PRIVATE && clients % 2 != 0) {
            throw new IllegalArgumentException("private pairs clients: --clients must be even");
        }
    }

    String host() {
        return url.getHost();
    }

    /** The node a connection goes to: round-robin over {@code nodes} (one node unless the scenario spreads). */
    URI nodeFor(int connection) {
        return nodes.get(connection % nodes.size());
    }

    static int port(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "wss".equals(uri.getScheme()) ? 443 : 80;
    }

    int port() {
        if (url.getPort() > 0) {
            return url.getPort();
        }
        return "wss".equals(url.getScheme()) ? 443 : 80;
    }
}
