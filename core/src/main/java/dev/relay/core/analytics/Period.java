package dev.relay.core.analytics;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.Optional;

/**
 * How distinct active users are grouped: per day (DAU), per ISO week starting Monday (WAU) or per calendar month
 * (MAU), in UTC, with how many of them a series shows.
 */
public enum Period {
    DAY("day", 30),
    WEEK("week", 12),
    MONTH("month", 12);

    private final String wireName;
    private final int points;

    Period(String wireName, int points) {
        this.wireName = wireName;
        this.points = points;
    }

    public String wireName() {
        return wireName;
    }

    /** How many periods a series shows, the current one last. */
    public int points() {
        return points;
    }

    /** The first day (epoch day, UTC) of the period holding {@code epochDay}. */
    public long start(long epochDay) {
        return switch (this) {
            case DAY -> epochDay;
            // 1970-01-01 was a Thursday: three days after a Monday.
            case WEEK -> epochDay - Math.floorMod(epochDay + 3, 7);
            case MONTH -> LocalDate.ofEpochDay(epochDay).withDayOfMonth(1).toEpochDay();
        };
    }

    /** The first day of the period before the one starting on {@code start}. */
    public long previous(long start) {
        return switch (this) {
            case DAY -> start - 1;
            case WEEK -> start - 7;
            case MONTH -> LocalDate.ofEpochDay(start).minusMonths(1).toEpochDay();
        };
    }

    /** The period named {@code day}, {@code week} or {@code month}; empty for anything else. */
    public static Optional<Period> parse(String text) {
        return Arrays.stream(values()).filter(period -> period.wireName.equals(text)).findFirst();
    }
}
