package dev.relay.core.session;

/**
 * The one rule for a user id: the token's {@code sub}, a private message's {@code to}, the REST user paths. Identity
 * providers use ids like {@code auth0|5f7c8ec7}, e-mail addresses or UUIDs, so the rule is loose about which
 * characters, and strict about length and invisible characters, which could make two ids look alike in logs.
 */
public final class UserIds {
    public static final int MAX_LENGTH = 128;
    public static final String RULE = "1 to " + MAX_LENGTH + " characters, without spaces or control characters";

    private UserIds() {
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
