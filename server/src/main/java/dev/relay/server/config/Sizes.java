package dev.relay.server.config;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads byte sizes: {@code 512}, {@code 8KiB}, {@code 1MiB}, {@code 8KB}. */
final class Sizes {
    static final String EXPECTED = "expected a size in bytes from 1 to 2147483647, like 512, 8KiB, 1MiB or 8KB"
            + " (suffixes: B, KB, MB, GB = powers of 1000; KiB, MiB, GiB = powers of 1024)";

    private static final Pattern SIZE = Pattern.compile("(\\d+) ?([A-Za-z]*)");
    private static final Map<String, Long> MULTIPLIERS = Map.of(
            "", 1L, "b", 1L,
            "kb", 1_000L, "mb", 1_000_000L, "gb", 1_000_000_000L,
            "kib", 1L << 10, "mib", 1L << 20, "gib", 1L << 30);

    private Sizes() {
    }

    static int parse(String text) throws BadValue {
        Matcher matcher = SIZE.matcher(text);
        if (!matcher.matches()) {
            throw new BadValue(EXPECTED);
        }
        Long multiplier = MULTIPLIERS.get(matcher.group(2).toLowerCase(Locale.ROOT));
        if (multiplier == null) {
            throw new BadValue(EXPECTED);
        }
        BigInteger bytes = new BigInteger(matcher.group(1)).multiply(BigInteger.valueOf(multiplier));
        if (bytes.signum() <= 0 || bytes.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
            throw new BadValue(EXPECTED);
        }
        return bytes.intValueExact();
    }
}
