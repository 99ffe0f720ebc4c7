package dev.relay.core.identity;

/**
 * The one rule for a user id: the token's {@code sub}, a private message's {@code to}, the REST user paths. Identity
 * providers use ids like {@code auth0|5f7c8ec7}, e-mail addresses or UUIDs, so the rule is loose about which
 * characters, and strict about length and invisible characters, which could make two ids look alike in logs.
 */
public final class UserIds {
    public static final int MAX_LENGTH = 128;
    public static final String RULE = "1 to " + MAX_LENGTH + " characters, without spaces or control characters";

    /** The sender of the server's own messages ({@code from: "system"}). */
    public static final String SYSTEM = "system";
    /** What the server files under a client address (failed logins): {@code ip:203.0.113.7}. */
    public static final String ADDRESS_PREFIX = "ip:";

    private UserIds() {
    }

    /**
     * Ids the server speaks or files as itself: {@value #SYSTEM} and anything starting with {@value #ADDRESS_PREFIX},
     * in any case (so {@code System} cannot pass for the server in a client that shows ids without case). No token
     * may claim one.
     */
    public static boolean isReserved(String id) {
        return id.equalsIgnoreCase(SYSTEM) || id.regionMatches(true, 0, ADDRESS_PREFIX, 0, ADDRESS_PREFIX.length());
    }

    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > 2 * MAX_LENGTH) {
            return false;
        }
        int count = 0;
        for (int i = 0; i < id.length(); ) {
            int cp = id.codePointAt(i);
            i += Character.charCount(cp);
            if (++count > MAX_LENGTH || Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                    || Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
                return false;
            }
        }
        return true;
    }
}
