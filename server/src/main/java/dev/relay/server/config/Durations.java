package dev.relay.server.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations the way the seed's Go configuration writes them ({@code 60s}, {@code 5m}, {@code 1h30m},
 * {@code 500ms}, {@code 1.5h}), plus {@code d} for days.
 */
public final class Durations {
    static final String EXPECTED = "expected a duration greater than 0 with a unit, like 500ms, 60s, 5m, 1h30m or 1d"
            + " (units: ns, us, ms, s, m, h, d)";

    // Longer units first, so that "ms" is not read as minutes followed by a stray "s".
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");
    private static final Pattern BARE_NUMBER = Pattern.compile("[+-]?\\d+(?:\\.\\d+)?");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L, "us", 1_000L, "µs", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L,
            "m", 60_000_000_000L, "h", 3_600_000_000_000L, "d", 86_400_000_000_000L);
    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private Durations() {
    }

    /** For command-line options that take a duration: the same syntax, refusals as IllegalArgumentException. */
    public static Duration parseOption(String text) {
        try {
            return parse(text.strip());
        } catch (BadValue e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
        }
    }

    static Duration parse(String text) throws BadValue {
        if (BARE_NUMBER.matcher(text).matches()) {
            // 60 could mean seconds (the seed's style) or milliseconds (many Java tools): refuse to guess.
            throw new BadValue("expected a duration with a unit, like " + text.replaceFirst("^[+-]", "") + "s;"
                    + " a bare number is ambiguous");
        }
        Matcher part = PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < text.length()) {
            part.region(at, text.length());
            if (!part.lookingAt()) {
                throw new BadValue(EXPECTED);
            }
            BigDecimal unit = BigDecimal.valueOf(NANOS_PER_UNIT.get(part.group(2)));
            nanos = nanos.add(new BigDecimal(part.group(1)).multiply(unit));
            at = part.end();
        }
        BigInteger whole = nanos.setScale(0, RoundingMode.DOWN).toBigIntegerExact();
        if (at == 0 || whole.signum() <= 0) {
            throw new BadValue(EXPECTED);
        }
        if (whole.compareTo(MAX_NANOS) > 0) {
            throw new BadValue("expected a duration of at most 106751d (about 292 years)");
        }
        return Duration.ofNanos(whole.longValueExact());
    }
}
