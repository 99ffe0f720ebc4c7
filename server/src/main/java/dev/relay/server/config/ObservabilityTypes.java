package dev.relay.server.config;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The kinds of setting the observability keys add: ratios, a choice of words, an optional port, a webhook URL. */
final class ObservabilityTypes {
    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?|\\.\\d+");

    private ObservabilityTypes() {
    }

    /** A fraction greater than 0 and at most 1, written as a decimal like {@code 0.9}. */
    static ValueType<Double> ratio() {
        String expected = "expected a number greater than 0 and at most 1, like 0.9";
        return new ValueTypes.Single<>("number 0..1", expected, text -> {
            if (!DECIMAL.matcher(text).matches()) {
                throw new BadValue(expected);
            }
            BigDecimal value = new BigDecimal(text);
            if (value.signum() <= 0 || value.compareTo(BigDecimal.ONE) > 0) {
                throw new BadValue(expected);
            }
            return value.doubleValue();
        });
    }

    /** One of a few words, in any case; read as the lower-case word. */
    static ValueType<String> choice(String... words) {
        List<String> allowed = List.of(words);
        String expected = "expected one of " + String.join(", ", allowed);
        return new ValueTypes.Single<>(String.join(" or ", allowed), expected, text -> {
            String word = text.toLowerCase(Locale.ROOT);
            if (!allowed.contains(word)) {
                throw new BadValue(expected);
            }
            return word;
        });
    }

    /** A port, or nothing (an empty value) for "not set". */
    static ValueType<Optional<Integer>> optionalPort() {
        ValueType<Integer> port = ValueTypes.integer(0, 65535);
        return new ValueTypes.Unsettable<>("integer 0..65535", raw -> port.parse(raw));
    }
}
