package dev.relay.server.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Content-Security-Policy of what the server answers. API answers and scripts may run nothing, load nothing and
 * be framed by nobody. The web page may run its own inline scripts (allowed by their hashes, computed from the page
 * itself, so editing the page cannot silently break it) and {@code /ws/client.js}, connect back to this origin
 * (fetch and WebSocket), and use inline styles; it cannot be framed, post forms anywhere or change its base URL.
 */
final class ContentSecurity {
    /** For JSON, text and scripts: nothing may run or load, and nobody may frame it. */
    static final String NOTHING = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    private static final Pattern INLINE_SCRIPT =
            Pattern.compile("<script(?![^>]*\\bsrc\\s*=)[^>]*>(.*?)</script>", Pattern.DOTALL);

    private ContentSecurity() {
    }

    /** The policy for an HTML page of the server's own: its inline scripts by hash, everything else from itself. */
    static String forPage(byte[] html) {
        StringBuilder scripts = new StringBuilder("'self'");
        Matcher inline = INLINE_SCRIPT.matcher(new String(html, StandardCharsets.UTF_8));
        while (inline.find()) {
            scripts.append(" 'sha256-").append(sha256(inline.group(1))).append('\'');
        }
        return "default-src 'none'; script-src " + scripts + "; style-src 'self' 'unsafe-inline'; connect-src 'self';"
                + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    private static String sha256(String script) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
