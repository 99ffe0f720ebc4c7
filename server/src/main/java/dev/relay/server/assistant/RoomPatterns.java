package dev.relay.server.assistant;

import java.util.List;
import java.util.regex.Pattern;

/** {@code assistant_rooms}: room ids or patterns where {@code *} stands for any characters. */
record RoomPatterns(List<Pattern> patterns) {
    static RoomPatterns of(List<String> globs) {
        return new RoomPatterns(globs.stream()
                .map(glob -> Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q")))
                .toList());
    }

    boolean matches(String roomId) {
        return patterns.stream().anyMatch(pattern -> pattern.matcher(roomId).matches());
    }
}
