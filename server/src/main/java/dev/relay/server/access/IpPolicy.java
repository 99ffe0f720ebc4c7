package dev.relay.server.access;

import java.net.InetAddress;
import java.util.List;

/**
 * The IP allow and deny lists: the deny list always applies, the allow list only when it is switched on. A
 * configuration reload replaces the lists ({@link #adopt}); a check sees either the old lists or the new, never a mix.
 */
public final class IpPolicy {
    private record Lists(boolean allowListEnabled, List<Cidr> allowList, List<Cidr> denyList) {
    }

    private volatile Lists lists;

    public IpPolicy(boolean allowListEnabled, List<Cidr> allowList, List<Cidr> denyList) {
        this.lists = new Lists(allowListEnabled, List.copyOf(allowList), List.copyOf(denyList));
    }

    public boolean allows(InetAddress address) {
        Lists current = lists;
        for (Cidr denied : current.denyList()) {
            if (denied.contains(address)) {
                return false;
            }
        }
        if (!current.allowListEnabled()) {
            return true;
        }
        for (Cidr allowed : current.allowList()) {
            if (allowed.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** From now on, the lists of {@code other}. */
    public void adopt(IpPolicy other) {
        this.lists = other.lists;
    }
}
