package dev.relay.server.access;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "10.0.0.0/8,          10.0.0.0/8",
            "10.1.2.3/8,          10.0.0.0/8",
            "192.168.1.7,         192.168.1.7/32",
            "0.0.0.0/0,           0.0.0.0/0",
            "' 172.16.0.0/12 ',   172.16.0.0/12",
            "::1,                 ::1/128",
            "2001:db8::/32,       2001:db8::/32",
            "2001:DB8:0:0:1::/64, 2001:db8::/64",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128",
            "::/0,                ::/0",
            "::ffff:10.1.2.3,     10.1.2.3/32",
            "::ffff:10.0.0.0/104, 10.0.0.0/8",
    })
    void parsesToCanonicalForm(String text, String canonical) {
        assertThat(Cidr.parse(text)).hasToString(canonical);
    }

    @Test
    void ipv4BlockContainsExactlyTheAddressesUnderItsPrefix() {
        Cidr block = Cidr.parse("192.168.4.0/22");

        assertThat(block.contains(ip("192.168.4.0"))).isTrue();
        assertThat(block.contains(ip("192.168.7.255"))).isTrue();
        assertThat(block.contains(ip("192.168.8.0"))).isFalse();
        assertThat(block.contains(ip("192.168.3.255"))).isFalse();
    }

    @Test
    void bareAddressContainsOnlyItself() {
        Cidr single = Cidr.parse("192.168.1.7");

        assertThat(single.contains(ip("192.168.1.7"))).isTrue();
        assertThat(single.contains(ip("192.168.1.8"))).isFalse();
        assertThat(single.contains(ip("192.168.1.6"))).isFalse();
    }

    @Test
    void ipv6BlockContainsExactlyTheAddressesUnderItsPrefix() {
        Cidr block = Cidr.parse("2001:db8::/32");

        assertThat(block.contains(ip("2001:db8::"))).isTrue();
        assertThat(block.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(block.contains(ip("2001:db9::"))).isFalse();
        assertThat(block.contains(ip("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"))).isFalse();
    }

    @Test
    void loopbackIpv6MatchesOnlyItself() {
        assertThat(Cidr.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(Cidr.parse("::1").contains(ip("::2"))).isFalse();
    }

    @Test
    void ipv4MappedClientAddressMatchesIpv4Blocks() throws UnknownHostException {
        // Built as an Inet6Address on purpose: InetAddress.getByAddress would quietly turn it into IPv4.
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};
        InetAddress client = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(client).isInstanceOf(Inet6Address.class);

        assertThat(Cidr.parse("10.0.0.0/8").contains(client)).isTrue();
        assertThat(Cidr.parse("11.0.0.0/8").contains(client)).isFalse();
        assertThat(Cidr.parse("::ffff:10.1.2.3").contains(client)).isTrue();
    }

    @Test
    void familiesNeverMatchEachOther() {
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("::1"))).isFalse();
        assertThat(Cidr.parse("::/0").contains(ip("127.0.0.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("8.8.8.8"))).isTrue();
        assertThat(Cidr.parse("::/0").contains(ip("2001:db8::1"))).isTrue();
    }

    @Test
    void mappedBlockIsStoredAsIpv4() {
        assertThat(Cidr.parse("::ffff:10.1.2.3").network()).isInstanceOf(Inet4Address.class);
        assertThat(Cidr.parse("::ffff:10.1.2.3").prefixLength()).isEqualTo(32);
    }

    @Test
    void blocksWithTheSameAddressesAreEqual() {
        assertThat(Cidr.parse("10.1.2.3/8")).isEqualTo(Cidr.parse("10.0.0.0/8"));
        assertThat(Cidr.parse("10.0.0.0/8")).isNotEqualTo(Cidr.parse("10.0.0.0/9"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "/8", "10.0.0", "10.0.0.0.0", "256.0.0.1", "01.2.3.4",
            "10.0.0.0/8/8", "10.0.0.0/a", "example.com", "localhost", "::1/129", "1:2:3:4:5:6:7:8:9", "1::2::3",
            "12345::", "fe80::1%eth0", "g::1", ":1", "1:", "1:2:3:4:5:6:7:8::", "1.2.3.4::"})
    void rejectsWhatIsNotACidr(String text) {
        assertThatThrownBy(() -> Cidr.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + text + "\" is not a valid CIDR");
    }

    @Test
    void prefixErrorSaysTheRange() {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("between 0 and 32");
        assertThatThrownBy(() -> Cidr.parse("::/129")).hasMessageContaining("between 0 and 128");
    }

    @Test
    void hostNamesAreRefusedWithoutALookup() {
        assertThatThrownBy(() -> Cidr.parse("relay.invalid/24")).hasMessageContaining("host names are not accepted");
    }

    private static InetAddress ip(String literal) {
        // The test's own literals: getByName does no lookup for a valid literal.
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
