package dev.relay.server.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A block of IP addresses such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}. The network address is kept with its
 * host bits cleared, so {@code 10.1.2.3/8} and {@code 10.0.0.0/8} are the same block.
 *
 * <p>IPv4 clients that reach a dual-stack socket show up as IPv4-mapped IPv6 addresses ({@code ::ffff:10.1.2.3});
 * they are treated as the IPv4 address they carry, so IPv4 blocks match them.
 *
 * @param network      the first address of the block: an {@code Inet4Address} or an {@code Inet6Address}
 * @param prefixLength the number of leading bits that every address in the block shares: 0 to 32 for IPv4,
 *                     0 to 128 for IPv6 (0 matches every address of that family)
 */
public record Cidr(InetAddress network, int prefixLength) {
    private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    public Cidr {
        Objects.requireNonNull(network, "network");
        byte[] bytes = network.getAddress();
        if (isMapped(bytes) && prefixLength >= 96) {
            bytes = Arrays.copyOfRange(bytes, 12, 16);
            prefixLength -= 96;
        }
        int bits = bytes.length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("the prefix length must be between 0 and " + bits + " for "
                    + (bits == 32 ? "IPv4" : "IPv6") + ", not " + prefixLength);
        }
        network = address(mask(bytes, prefixLength));
    }

    /**
     * Reads {@code 10.0.0.0/8}, {@code 192.168.1.7} (one address: /32), {@code 2001:db8::/32}, {@code ::1}
     * (/128) or {@code ::ffff:10.1.2.3} (read as IPv4). Host names are refused, never looked up.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        try {
            int slash = trimmed.indexOf('/');
            String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
            byte[] bytes = IpLiterals.parse(addressText);
            int prefix = slash < 0 ? bytes.length * 8 : prefix(trimmed.substring(slash + 1));
            if (isMapped(bytes) && prefix >= 96) {
                bytes = Arrays.copyOfRange(bytes, 12, 16);
                prefix -= 96;
            }
            // Masked before it becomes an InetAddress, which would read any IPv4-mapped bytes left as IPv4.
            return new Cidr(address(mask(bytes, prefix)), prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a valid CIDR: " + e.getMessage(), e);
        }
    }

    /** Whether the address lies in this block; an IPv4 block never contains an IPv6 address, nor the reverse. */
    public boolean contains(InetAddress address) {
        byte[] candidate = unmapped(address.getAddress());
        byte[] own = network.getAddress();
        if (candidate.length != own.length) {
            return false;
        }
        return Arrays.equals(mask(candidate, prefixLength), own);
    }

    /** The canonical form, e.g. {@code 10.0.0.0/8} or {@code 2001:db8::/32}. */
    @Override
    public String toString() {
        byte[] bytes = network.getAddress();
        String text = bytes.length == 4 ? network.getHostAddress() : IpLiterals.formatIpv6(bytes);
        return text + "/" + prefixLength;
    }

    private static int prefix(String text) {
        boolean digits = !text.isEmpty() && text.length() <= 3 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits) {
            throw new IllegalArgumentException("the prefix length after '/' must be a number");
        }
        return Integer.parseInt(text);
    }

    private static boolean isMapped(byte[] bytes) {
        return bytes.length == 16 && Arrays.equals(bytes, 0, 12, MAPPED_PREFIX, 0, 12);
    }

    private static byte[] unmapped(byte[] bytes) {
        return isMapped(bytes) ? Arrays.copyOfRange(bytes, 12, 16) : bytes;
    }

    private static byte[] mask(byte[] bytes, int prefixLength) {
        byte[] masked = bytes.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.clamp(prefixLength - 8L * i, 0, 8);
            masked[i] &= (byte) (0xff00 >>> keep);
        }
        return masked;
    }

    private static InetAddress address(byte[] bytes) {
        try {
            // Given raw bytes, getByAddress does no lookup; it also turns an IPv4-mapped address into Inet4Address.
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length, e);
        }
    }
}
