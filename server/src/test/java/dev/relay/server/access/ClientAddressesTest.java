package dev.relay.server.access;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressesTest {
    private final ClientAddresses behindProxies = new ClientAddresses(List.of(Cidr.parse("10.0.0.0/8")));

    private static InetAddress ip(String text) {
        return ClientAddresses.literal(text);
    }

    @Test
    void headersFromAnUntrustedPeerAreIgnored() {
        assertThat(behindProxies.resolve(ip("198.51.100.9"), List.of(), List.of("203.0.113.7")))
                .isEqualTo(ip("198.51.100.9"));
        assertThat(new ClientAddresses(List.of()).resolve(ip("10.0.0.1"), List.of(), List.of("203.0.113.7")))
                .isEqualTo(ip("10.0.0.1"));
    }

    @Test
    void theRightmostUntrustedHopIsTheClient() {
        // The client wrote a fake first hop; the proxy appended the real peer.
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of(), List.of("1.2.3.4, 203.0.113.7", "10.0.0.2")))
                .isEqualTo(ip("203.0.113.7"));
    }

    @Test
    void forwardedWinsOverXForwardedForAndItsSyntaxIsRead() {
        assertThat(behindProxies.resolve(ip("10.0.0.1"),
                List.of("for=192.0.2.60;proto=http;by=10.0.0.1, for=\"[2001:db8:cafe::17]:4711\""),
                List.of("203.0.113.7"))).isEqualTo(ip("2001:db8:cafe::17"));
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of("for=192.0.2.60:8080"), List.of()))
                .isEqualTo(ip("192.0.2.60"));
    }

    @Test
    void garbageAndNamesAreNeverLookedUpAndEndTheWalk() {
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of(), List.of("example.com"))).isEqualTo(ip("10.0.0.1"));
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of("for=unknown"), List.of())).isEqualTo(ip("10.0.0.1"));
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of(), List.of("203.0.113.7, 10.0.0.3, bogus")))
                .isEqualTo(ip("10.0.0.1"));
    }
}
