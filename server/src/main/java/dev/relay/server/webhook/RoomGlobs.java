package dev.relay.server.webhook;

import java.util.List;
import java.util.regex.Pattern;

/** A webhook's {@code rooms:} patterns: {@code *} is any run of characters, {@code ?} one; the rest literal. */
final class RoomGlobs {
    private final List<Pattern> patterns;

    RoomGlobs(List<String> globs) {
        this.patterns = globs.stream().map(RoomGlobs::compile).toList();
    }

    /** Whether an event about {@code roomId} passes; one about no room always does, and any does without patterns. */
    boolean allows(Object roomId) {
        if (patterns.isEmpty() || !(roomId instanceof String room)) {
            return true;
        }
        return patterns.stream().anyMatch(pattern -> pattern.matcher(room).matches());
    }

    private static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                regex.append(Pattern.quote(literal.toString())).append(c == '*' ? ".*" : ".");
                literal.setLength(0);
            } else {
                literal.append(c);
            }
        }
        return Pattern.compile(regex.append(Pattern.quote(literal.toString())).toString());
    }
}
