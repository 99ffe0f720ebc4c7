package dev.relay.server.access;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IpPolicyTest {

    @Test
    void withNoListsEverythingIsAllowed() {
        IpPolicy policy = new IpPolicy(false, List.of(), List.of());

        assertThat(policy.allows(ip("203.0.113.9"))).isTrue();
        assertThat(policy.allows(ip("2001:db8::1"))).isTrue();
    }

    @Test
    void denyListRefusesItsAddressesOnly() {
        IpPolicy policy = new IpPolicy(false, List.of(), cidrs("203.0.113.0/24"));

        assertThat(policy.allows(ip("203.0.113.0"))).isFalse();
        assertThat(policy.allows(ip("203.0.113.255"))).isFalse();
        assertThat(policy.allows(ip("203.0.114.0"))).isTrue();
        assertThat(policy.allows(ip("203.0.112.255"))).isTrue();
    }

    @Test
    void enabledAllowListAdmitsOnlyItsAddresses() {
        IpPolicy policy = new IpPolicy(true, cidrs("10.0.0.0/8", "192.168.1.7"), List.of());

        assertThat(policy.allows(ip("10.0.0.1"))).isTrue();
        assertThat(policy.allows(ip("10.255.255.255"))).isTrue();
        assertThat(policy.allows(ip("192.168.1.7"))).isTrue();
        assertThat(policy.allows(ip("11.0.0.0"))).isFalse();
        assertThat(policy.allows(ip("192.168.1.8"))).isFalse();
    }

    @Test
    void disabledAllowListIsIgnored() {
        IpPolicy policy = new IpPolicy(false, cidrs("10.0.0.0/8"), List.of());

        assertThat(policy.allows(ip("11.0.0.1"))).isTrue();
        assertThat(policy.allows(ip("10.0.0.1"))).isTrue();
    }

    @Test
    void enabledEmptyAllowListRefusesEveryone() {
        IpPolicy policy = new IpPolicy(true, List.of(), List.of());

        assertThat(policy.allows(ip("127.0.0.1"))).isFalse();
        assertThat(policy.allows(ip("::1"))).isFalse();
    }

    @Test
    void denyListBeatsAllowList() {
        IpPolicy policy = new IpPolicy(true, cidrs("10.0.0.0/8"), cidrs("10.1.0.0/16"));

        assertThat(policy.allows(ip("10.1.2.3"))).isFalse();
        assertThat(policy.allows(ip("10.2.2.3"))).isTrue();
    }

    @Test
    void denyListAppliesWhenTheAllowListIsOff() {
        IpPolicy policy = new IpPolicy(false, cidrs("10.0.0.0/8"), cidrs("10.1.0.0/16"));

        assertThat(policy.allows(ip("10.1.2.3"))).isFalse();
        assertThat(policy.allows(ip("172.16.0.1"))).isTrue();
    }

    @Test
    void ipv6Lists() {
        IpPolicy policy = new IpPolicy(true, cidrs("2001:db8::/32"), cidrs("2001:db8:bad::/48"));

        assertThat(policy.allows(ip("2001:db8:1::1"))).isTrue();
        assertThat(policy.allows(ip("2001:db8:bad::1"))).isFalse();
        assertThat(policy.allows(ip("2001:db8:bae::1"))).isTrue();
        assertThat(policy.allows(ip("2001:db9::1"))).isFalse();
    }

    @Test
    void familiesDoNotMatchEachOther() {
        IpPolicy v4Only = new IpPolicy(true, cidrs("0.0.0.0/0"), List.of());
        IpPolicy v6Only = new IpPolicy(true, cidrs("::/0"), List.of());

        assertThat(v4Only.allows(ip("2001:db8::1"))).isFalse();
        assertThat(v4Only.allows(ip("198.51.100.1"))).isTrue();
        assertThat(v6Only.allows(ip("198.51.100.1"))).isFalse();
        assertThat(v6Only.allows(ip("2001:db8::1"))).isTrue();
    }

    @Test
    void ipv4MappedClientMatchesIpv4AllowList() {
        IpPolicy policy = new IpPolicy(true, cidrs("10.0.0.0/8"), List.of());

        assertThat(policy.allows(mapped(10, 1, 2, 3))).isTrue();
        assertThat(policy.allows(mapped(11, 1, 2, 3))).isFalse();
    }

    @Test
    void ipv4MappedClientMatchesIpv4DenyList() {
        IpPolicy policy = new IpPolicy(false, List.of(), cidrs("10.0.0.0/8"));

        assertThat(policy.allows(mapped(10, 1, 2, 3))).isFalse();
        assertThat(policy.allows(mapped(11, 1, 2, 3))).isTrue();
    }

    @Test
    void listsAreCopied() {
        List<Cidr> deny = new java.util.ArrayList<>(cidrs("10.0.0.0/8"));
        IpPolicy policy = new IpPolicy(false, List.of(), deny);
        deny.clear();

        assertThat(policy.allows(ip("10.0.0.1"))).isFalse();
    }

    private static List<Cidr> cidrs(String... texts) {
        return Arrays.stream(texts).map(Cidr::parse).toList();
    }

    /** An IPv4-mapped IPv6 address as a dual-stack socket reports it; kept an Inet6Address on purpose. */
    private static InetAddress mapped(int a, int b, int c, int d) {
        byte[] bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) a, (byte) b, (byte) c, (byte) d};
        try {
            InetAddress address = Inet6Address.getByAddress(null, bytes, -1);
            assertThat(address).isInstanceOf(Inet6Address.class);
            return address;
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress ip(String literal) {
        // Literals only: getByName does no lookup for them.
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
