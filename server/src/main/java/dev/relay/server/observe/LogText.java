package dev.relay.server.observe;

/**
 * Makes text safe for a line-oriented log: every character that could end a line, move the cursor, recolour a
 * terminal or reorder what a reader sees (C0 and C1 controls, DEL, the Unicode line and paragraph separators, the
 * bidirectional overrides) is written as a {@code \}{@code n}, {@code \}{@code r}, {@code \}{@code t} or
 * {@code \}{@code uXXXX} escape. The text log applies it to every message and exception message in
 * {@link RelayLogEncoder}, so no log line, present or future, can be forged by a value a client sent.
 */
final class LogText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LogText() {
    }

    /** {@code text} with the dangerous characters escaped; the same instance when there are none; null stays null. */
    static String escape(String text) {
        if (text == null) {
            return null;
        }
        int first = 0;
        while (first < text.length() && !needsEscape(text.charAt(first))) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                escaped.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> escaped.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF])
                        .append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
            }
        }
        return escaped.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }
}
