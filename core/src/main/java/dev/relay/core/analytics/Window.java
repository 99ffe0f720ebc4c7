package dev.relay.core.analytics;

import java.util.Arrays;
import java.util.Optional;

/**
 * A span of time the figures cover, ending now: its wire name ({@code window=1h}), its length in minutes and the
 * width of one point of its series (a minute, or an hour for windows over a day, so a series has at most 720 points).
 */
public enum Window {
    FIVE_MINUTES("5m", 5, 1),
    HOUR("1h", 60, 1),
    DAY("24h", 24 * 60, 1),
    WEEK("7d", 7 * 24 * 60, 60),
    MONTH("30d", 30 * 24 * 60, 60);

    /** What {@code window} means when it is not given. */
    public static final Window DEFAULT = HOUR;

    private final String wireName;
    private final int minutes;
    private final int bucketMinutes;

    Window(String wireName, int minutes, int bucketMinutes) {
        this.wireName = wireName;
        this.minutes = minutes;
        this.bucketMinutes = bucketMinutes;
    }

    public String wireName() {
        return wireName;
    }

    public int minutes() {
        return minutes;
    }

    public int bucketMinutes() {
        return bucketMinutes;
    }

    /** The window named {@code 5m}, {@code 1h}, {@code 24h}, {@code 7d} or {@code 30d}; empty for anything else. */
    public static Optional<Window> parse(String text) {
        return Arrays.stream(values()).filter(window -> window.wireName.equals(text)).findFirst();
    }
}
