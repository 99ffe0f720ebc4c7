package dev.relay.server.websocket;

import dev.relay.core.policy.UserRateLimits;
import dev.relay.server.access.ClientAddresses;

/**
 * The per-user and per-address limits checked before an upgrade, and how the client's address is found.
 *
 * @param perUser         concurrent connections per user id (0: no limit)
 * @param perAddress      concurrent connections per client address (0: no limit)
 * @param connectsPerAddressPerMinute new connections per client address per minute (0: no limit)
 * @param addresses       how the client address is read (trusted proxies)
 */
public record ConnectLimits(int perUser, int perAddress, int connectsPerAddressPerMinute, ClientAddresses addresses) {
    /** No limits, the TCP peer as the client: what a server without these settings does. */
    public static ConnectLimits none() {
        return new ConnectLimits(0, 0, 0, new ClientAddresses(java.util.List.of()));
    }

    UserRateLimits connectRate() {
        return new UserRateLimits(connectsPerAddressPerMinute, System::nanoTime, "new connections from your address");
    }
}
