package dev.relay.server.access;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code allowed_origins} entry with a wildcard: {@code https://*.example.com} (that scheme, any subdomain, the
 * scheme's default port), {@code https://*.example.com:8443} (that port), or {@code *.example.com} (http or https,
 * any port). The wildcard stands for one or more whole labels and never for the domain itself, so
 * {@code *.example.com} does not match {@code example.com}, and never matches {@code evil-example.com}.
 *
 * @param scheme the required scheme, or null for http and https
 * @param domain the domain the host must be a subdomain of, lower case
 * @param port   the required port, -1 for the scheme's default, or 0 for any
 */
record OriginPattern(String scheme, String domain, int port) {
    private static final Pattern SYNTAX = Pattern.compile(
            "(?:(https?)://)?\\*\\.((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?::(\\d{1,5}))?");

    /** The pattern, or empty when {@code text} has no wildcard; throws IllegalArgumentException for a bad one. */
    static Optional<OriginPattern> parse(String text) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        if (!lower.contains("*.")) {
            return Optional.empty();
        }
        Matcher m = SYNTAX.matcher(lower.endsWith("/") ? lower.substring(0, lower.length() - 1) : lower);
        if (!m.matches() || !m.group(2).contains(".")) {
            // "*.com" would allow every .com site: a pattern needs at least a registrable-looking domain.
            throw new IllegalArgumentException("'" + text + "' is not an origin pattern like https://*.example.com"
                    + " or *.example.com");
        }
        int port = m.group(3) == null ? (m.group(1) == null ? 0 : -1) : Integer.parseInt(m.group(3));
        if (port > 65535) {
            throw new IllegalArgumentException("'" + text + "' has a port above 65535");
        }
        return Optional.of(new OriginPattern(m.group(1), m.group(2), port));
    }

    boolean matches(String origin) {
        URI uri;
        try {
            uri = new URI(origin.strip());
        } catch (URISyntaxException e) {
            return false;
        }
        String originScheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (scheme != null ? !scheme.equals(originScheme) : !(originScheme.equals("http") || originScheme.equals("https"))) {
            return false;
        }
        if (!host.endsWith("." + domain)) {
            return false;
        }
        int originPort = uri.getPort() == -1 ? defaultPort(originScheme) : uri.getPort();
        return switch (port) {
            case 0 -> true;
            case -1 -> originPort == defaultPort(originScheme);
            default -> originPort == port;
        };
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    @Override
    public String toString() {
        return (scheme == null ? "" : scheme + "://") + "*." + domain + (port > 0 ? ":" + port : "");
    }
}
