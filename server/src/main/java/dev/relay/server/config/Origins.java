package dev.relay.server.config;

import dev.relay.server.access.OriginPolicy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Checks an allowed_origins entry and writes it the way a browser sends the Origin header. */
final class Origins {
    private Origins() {
    }

    /**
     * Returns {@code *} or {@code scheme://host[:port]} in lower case, without a trailing slash and without the
     * scheme's default port: browsers send {@code https://app.example.com}, never {@code https://app.example.com:443/}.
     */
    static String normalize(String text) throws BadValue {
        if (text.equals("*")) {
            return text;
        }
        if (text.contains("*.")) {
            try {
                OriginPolicy.checkPattern(text);
            } catch (IllegalArgumentException e) {
                throw new BadValue(e.getMessage());
            }
            return text.strip().toLowerCase(Locale.ROOT);
        }
        String problem = RawValue.quote(text) + " is not an origin (scheme://host or scheme://host:port)";
        URI uri;
        try {
            uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        } catch (URISyntaxException e) {
            throw new BadValue(problem);
        }
        boolean bare = uri.getRawPath() != null && uri.getRawPath().isEmpty() && uri.getRawQuery() == null
                && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
        if (uri.getScheme() == null || uri.getHost() == null || !bare) {
            throw new BadValue(problem);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + (port == -1 || defaultPort ? "" : ":" + port);
    }
}
