package dev.relay.server.access;

import java.net.InetAddress;
import java.util.List;

/** The IP allow and deny lists: the deny list always applies, the allow list only when it is switched on. */
public final class IpPolicy {
    private final boolean allowListEnabled;
    private final List<Cidr> allowList;
    private final List<Cidr> denyList;

    public IpPolicy(boolean allowListEnabled, List<Cidr> allowList, List<Cidr> denyList) {
        this.allowListEnabled = allowListEnabled;
        this.allowList = List.copyOf(allowList);
        this.denyList = List.copyOf(denyList);
    }

    public boolean allows(InetAddress address) {
        for (Cidr denied : denyList) {
            if (denied.contains(address)) {
                return false;
            }
        }
        if (!allowListEnabled) {
            return true;
        }
        for (Cidr allowed : allowList) {
            if (allowed.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
