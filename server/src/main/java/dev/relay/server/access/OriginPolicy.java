package dev.relay.server.access;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which browser pages may open a connection. Requests without an Origin header are not from a browser page and
 * pass. With a list of allowed origins the Origin must be one of them ({@code *} allows all); without one the page
 * must come from the server's own host, as gorilla/websocket decides by default.
 */
public final class OriginPolicy {
    private record Rules(boolean enabled, boolean allowAll, List<String> allowed, List<OriginPattern> patterns) {
    }

    /** Replaced whole by a configuration reload ({@link #adopt}), so a check never sees half of each. */
    private volatile Rules rules;

    public OriginPolicy(boolean enabled, List<String> allowedOrigins) {
        this.rules = new Rules(enabled, allowedOrigins.contains("*"),
                allowedOrigins.stream().filter(origin -> OriginPattern.parse(origin).isEmpty())
                        .map(OriginPolicy::normalize).toList(),
                allowedOrigins.stream().flatMap(origin -> OriginPattern.parse(origin).stream()).toList());
    }

    /** From now on, the rules of {@code other}. */
    public void adopt(OriginPolicy other) {
        this.rules = other.rules;
    }

    /** Checks an allowed_origins entry with a wildcard; throws IllegalArgumentException saying what is wrong. */
    public static void checkPattern(String entry) {
        OriginPattern.parse(entry);
    }

    /**
     * @param origin the Origin header, or null
     * @param host   the Host header, or null
     */
    public boolean allows(String origin, String host) {
        Rules current = rules;
        if (!current.enabled() || origin == null || current.allowAll()) {
            return true;
        }
        if (!current.allowed().isEmpty() || !current.patterns().isEmpty()) {
            return current.allowed().contains(normalize(origin))
                    || current.patterns().stream().anyMatch(p -> p.matches(origin));
        }
        if (host == null) {
            return false;
        }
        try {
            URI page = new URI(origin.strip());
            // Only web pages: a Host header says nothing of the scheme (TLS ends at the proxy), but an extension's or
            // an app's own scheme with the server's authority is not a page of this server.
            String scheme = page.getScheme() == null ? "" : page.getScheme().toLowerCase(Locale.ROOT);
            String authority = page.getRawAuthority();
            return (scheme.equals("http") || scheme.equals("https"))
                    && authority != null && authority.equalsIgnoreCase(host.strip());
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String normalize(String origin) {
        String trimmed = origin.strip().toLowerCase(Locale.ROOT);
        String bare = trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
        // The configured origins are stored without their scheme's default port, so compare the same way.
        if (bare.startsWith("https://") && bare.endsWith(":443")) {
            return bare.substring(0, bare.length() - 4);
        }
        if (bare.startsWith("http://") && bare.endsWith(":80")) {
            return bare.substring(0, bare.length() - 3);
        }
        return bare;
    }
}
