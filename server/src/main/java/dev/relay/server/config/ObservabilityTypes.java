package dev.relay.server.config;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
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
        return new Unsettable<>("integer 0..65535", raw -> port.parse(raw));
    }

    /** An http or https URL with a host, or nothing for "not set". */
    static ValueType<Optional<URI>> optionalUrl() {
        String expected = "expected an http:// or https:// URL with a host, like https://hooks.example.com/relay";
        return new Unsettable<>("URL", raw -> {
            if (raw instanceof RawValue.Sequence) {
                throw new BadValue(expected + ", not a list");
            }
            try {
                URI uri = new URI(raw.text().strip());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                    throw new BadValue(expected);
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new BadValue(expected);
            }
        });
    }

    @FunctionalInterface
    interface RawReader<T> {
        T read(RawValue raw) throws BadValue;
    }

    /** A value that may be left empty, meaning "not set". */
    record Unsettable<T>(String description, RawReader<T> reader) implements ValueType<Optional<T>> {
        @Override
        public Optional<T> parse(RawValue raw) throws BadValue {
            if (!(raw instanceof RawValue.Sequence) && raw.text().isBlank()) {
                return Optional.empty();
            }
            return Optional.of(reader.read(raw));
        }

        @Override
        public String documentedDefault(String defaultText) {
            return defaultText.isEmpty() ? "(unset)" : "`" + defaultText + "`";
        }
    }
}
