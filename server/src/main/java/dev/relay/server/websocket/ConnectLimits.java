package dev.relay.server.websocket;

import dev.relay.core.policy.KeyedRateLimits;
import dev.relay.server.access.ClientAddresses;
import dev.relay.server.access.GeoPolicy;

/**
 * The per-user and per-address limits checked before an upgrade, how the client's address is found, and from
 * which countries it may come (checked with the IP lists, for REST too).
 *
 * @param perUser         concurrent connections per user id (0: no limit)
 * @param perAddress      concurrent connections per client address (0: no limit)
 * @param connectsPerAddressPerMinute new connections per client address per minute (0: no limit)
 * @param addresses       how the client address is read (trusted proxies)
 * @param geo             the geographic restriction
 * @param perUserShared   {@code perUser} counted across the cluster, when this node is one of several
 */
public record ConnectLimits(int perUser, int perAddress, int connectsPerAddressPerMinute, ClientAddresses addresses,
                            GeoPolicy geo, SharedUserSlots perUserShared) {
    /** No limits, the TCP peer as the client: what a server without these settings does. */
    public static ConnectLimits none() {
        return new ConnectLimits(0, 0, 0, new ClientAddresses(java.util.List.of()), GeoPolicy.off(),
                SharedUserSlots.NONE);
    }

    KeyedRateLimits connectRate() {
        return new KeyedRateLimits(connectsPerAddressPerMinute, System::nanoTime, "new connections from your address");
    }
}
