package dev.relay.core.store;

import java.util.Locale;

/** The snippet of a search hit: some text either side of the first match, the match in {@code <mark>}. */
public final class Highlights {
    private static final int CONTEXT = 40;

    private Highlights() {
    }

    /** Null when {@code content} does not contain {@code text} (ignoring case). */
    public static String of(String content, String text) {
        if (content == null || text.isEmpty()) {
            return null;
        }
        int at = content.toLowerCase(Locale.ROOT).indexOf(text.toLowerCase(Locale.ROOT));
        if (at < 0 || at + text.length() > content.length()) {
            return null;
        }
        int start = Math.max(0, at - CONTEXT);
        int end = Math.min(content.length(), at + text.length() + CONTEXT);
        // Escaped, so a client may render the snippet as HTML without the content injecting markup.
        return (start > 0 ? "…" : "") + escape(content.substring(start, at)) + "<mark>"
                + escape(content.substring(at, at + text.length())) + "</mark>"
                + escape(content.substring(at + text.length(), end)) + (end < content.length() ? "…" : "");
    }

    /** The start of {@code content}, escaped the same way, for a hit whose match the scan cannot place. */
    public static String start(String content) {
        if (content == null) {
            return null;
        }
        int end = Math.min(content.length(), 2 * CONTEXT);
        return escape(content.substring(0, end)) + (end < content.length() ? "…" : "");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
