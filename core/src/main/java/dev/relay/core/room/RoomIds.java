package dev.relay.core.room;

import java.util.regex.Pattern;

/** The one rule for what a room id may look like, shared by the API, the protocol and the configuration. */
public final class RoomIds {
    /** Letters, digits and {@code _ . : -}, starting with a letter or digit, at most 64 characters. */
    public static final String RULE = "1 to 64 characters: letters, digits, '_', '.', ':' or '-', starting with a letter or digit";

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

    private RoomIds() {
    }

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }
}
