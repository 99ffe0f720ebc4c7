package dev.relay.server.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who the client is when Relay sits behind proxies. Only when the TCP peer is one of {@code trusted_proxies} are the
 * {@code Forwarded} (RFC 7239) or, without it, {@code X-Forwarded-For} headers read; anyone else could write them.
 * The chain is read from the right (the hop nearest to us) and the first address that is not itself a trusted proxy
 * is the client, so a client cannot pick its address by sending its own header through the proxy. Addresses are
 * parsed as literals, never looked up in DNS; a malformed hop ends the walk at the last good one.
 */
public final class ClientAddresses {
    private final List<Cidr> trustedProxies;

    public ClientAddresses(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /**
     * @param forwarded     the values of the {@code Forwarded} headers, in order (may be empty)
     * @param xForwardedFor the values of the {@code X-Forwarded-For} headers, in order (may be empty)
     */
    public InetAddress resolve(InetAddress peer, List<String> forwarded, List<String> xForwardedFor) {
        if (!isTrusted(peer)) {
            return peer;
        }
        List<String> hops = forwarded.isEmpty() ? split(xForwardedFor) : forwardedFor(forwarded);
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                break;
            }
            client = hop;
            if (!isTrusted(hop)) {
                break;
            }
        }
        return client;
    }

    /** Whether a peer is one of trusted_proxies, whose sockets carry many clients. */
    public boolean isTrustedProxy(InetAddress peer) {
        return isTrusted(peer);
    }

    private boolean isTrusted(InetAddress address) {
        for (Cidr proxy : trustedProxies) {
            if (proxy.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> split(List<String> headers) {
        List<String> hops = new ArrayList<>();
        for (String header : headers) {
            for (String hop : header.split(",")) {
                hops.add(hop.strip());
            }
        }
        return hops;
    }

    /** The {@code for=} values of {@code Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"}. */
    private static List<String> forwardedFor(List<String> headers) {
        List<String> hops = new ArrayList<>();
        for (String element : split(headers)) {
            String value = "";
            for (String pair : element.split(";")) {
                String p = pair.strip();
                if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
                    value = p.substring(4).strip();
                }
            }
            hops.add(value);
        }
        return hops;
    }

    /** An address literal, without quotes, brackets or port; null for anything else ("unknown", "_hidden"). */
    static InetAddress literal(String text) {
        String value = text.strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                return null;
            }
            value = value.substring(1, close);
        } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
            value = value.substring(0, value.indexOf(':')); // IPv4 with a port
        }
        try {
            return InetAddress.getByAddress(IpLiterals.parse(value));
        } catch (IllegalArgumentException | UnknownHostException e) {
            return null;
        }
    }
}
