package dev.relay.server.config;

import dev.relay.core.room.RoomIds;
import dev.relay.server.access.Cidr;

import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The kinds of setting that keys are made of. */
final class ValueTypes {
    /** HS256 signs with a 256-bit key; a shorter secret weakens every token. */
    static final int MIN_SECRET_BYTES = 32;

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

    private ValueTypes() {
    }

    /** Reads a single piece of text; throws {@link BadValue} for text it cannot read. */
    @FunctionalInterface
    interface TextReader<T> {
        T read(String text) throws BadValue;
    }

    /** A type whose value is one piece of text (not a list). */
    record Single<T>(String description, String expected, TextReader<T> reader) implements ValueType<T> {
        @Override
        public T parse(RawValue raw) throws BadValue {
            if (raw instanceof RawValue.Sequence) {
                throw new BadValue(expected + ", not a list");
            }
            return reader.read(raw.text().strip());
        }
    }

    /** A list whose items are each read with {@code reader}; errors name the offending item. */
    record ListOf<T>(String description, String expected, TextReader<T> reader, boolean distinct)
            implements ValueType<List<T>> {
        @Override
        public List<T> parse(RawValue raw) throws BadValue {
            List<T> values = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (String item : raw.items()) {
                if (distinct && !seen.add(item)) {
                    throw new BadValue(expected + "; " + RawValue.quote(item) + " is listed twice");
                }
                try {
                    values.add(reader.read(item));
                } catch (BadValue e) {
                    throw new BadValue(expected + "; " + e.getMessage());
                }
            }
            return List.copyOf(values);
        }

        @Override
        public String documentedDefault(String defaultText) {
            return defaultText.isEmpty() ? "(empty)" : "`" + defaultText + "`";
        }
    }

    /** {@code true} or {@code false} in any case, and from YAML whatever YAML itself reads as a boolean. */
    record Bool() implements ValueType<Boolean> {
        private static final String EXPECTED = "expected true or false";

        @Override
        public Boolean parse(RawValue raw) throws BadValue {
            if (raw instanceof RawValue.YamlBoolean yaml) {
                return yaml.value();
            }
            if (raw instanceof RawValue.Sequence) {
                throw new BadValue(EXPECTED);
            }
            return switch (raw.text().strip().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new BadValue(EXPECTED);
            };
        }

        @Override
        public String description() {
            return "bool";
        }
    }

    /**
     * The JWT secret. An empty value means "unset" (so {@code WS_JWT_SECRET=} undoes a file's secret), and the
     * value itself never appears in an error message, which may end up in a shared log.
     */
    record Secret() implements ValueType<Optional<String>> {
        static final String EXPECTED = "expected at least " + MIN_SECRET_BYTES
                + " bytes (UTF-8), because HS256 needs a 256-bit key";

        @Override
        public Optional<String> parse(RawValue raw) throws BadValue {
            if (raw instanceof RawValue.Sequence) {
                throw new BadValue(EXPECTED + ", not a list");
            }
            String secret = raw.text();
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
                throw new BadValue(EXPECTED);
            }
            return Optional.of(secret);
        }

        @Override
        public String display(RawValue raw) {
            return "<hidden, " + raw.text().getBytes(StandardCharsets.UTF_8).length + " bytes>";
        }

        @Override
        public String description() {
            return "secret";
        }

        @Override
        public String documentedDefault(String defaultText) {
            return "(unset)";
        }
    }

    static ValueType<Integer> integer(int min, int max) {
        String expected = max == Integer.MAX_VALUE
                ? "expected an integer of at least " + min
                : "expected an integer between " + min + " and " + max;
        String description = max == Integer.MAX_VALUE ? "integer >= " + min : "integer " + min + ".." + max;
        return new Single<>(description, expected, text -> {
            if (!INTEGER.matcher(text).matches()) {
                throw new BadValue(expected);
            }
            BigInteger value = new BigInteger(text);
            if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
                throw new BadValue(expected);
            }
            return value.intValueExact();
        });
    }

    static ValueType<Integer> size() {
        return new Single<>("size", Sizes.EXPECTED, Sizes::parse);
    }

    static ValueType<Duration> duration() {
        return new Single<>("duration", Durations.EXPECTED, Durations::parse);
    }

    /** A duration where zero means "off" (a bare 0 is not ambiguous). */
    static ValueType<Duration> durationOrZero() {
        return new Single<>("duration", "0s (off) or " + Durations.EXPECTED.replace("expected a", "a"),
                text -> text.matches("0+(\\.0+)?(ns|us|µs|ms|s|m|h|d)?") ? Duration.ZERO : Durations.parse(text));
    }

    static ValueType<Boolean> bool() {
        return new Bool();
    }

    static ValueType<Optional<String>> secret() {
        return new Secret();
    }

    static ValueType<String> host() {
        String expected = "expected a host name or IP address, like 0.0.0.0, 127.0.0.1 or ::";
        return new Single<>("string", expected, text -> {
            if (text.isEmpty() || text.chars().anyMatch(Character::isWhitespace)) {
                throw new BadValue(expected);
            }
            return text;
        });
    }

    static ValueType<Path> path() {
        String expected = "expected a directory path";
        return new Single<>("path", expected, text -> {
            if (text.isEmpty()) {
                throw new BadValue(expected);
            }
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new BadValue(expected + "; " + e.getReason());
            }
        });
    }

    static ValueType<List<String>> roomIds() {
        return new ListOf<>("list of room ids", "expected a list of room ids (" + RoomIds.RULE + ")", text -> {
            if (!RoomIds.isValid(text)) {
                throw new BadValue(RawValue.quote(text) + " is not a valid room id");
            }
            return text;
        }, true);
    }

    static ValueType<List<Cidr>> cidrs() {
        return new ListOf<>("list of CIDRs", "expected a list of CIDRs like 10.0.0.0/8, 192.168.1.7 or 2001:db8::/32",
                text -> {
                    try {
                        return Cidr.parse(text);
                    } catch (IllegalArgumentException e) {
                        throw new BadValue(e.getMessage());
                    }
                }, false);
    }

    static ValueType<List<String>> origins() {
        return new ListOf<>("list of origins",
                "expected a list of origins like https://app.example.com or http://localhost:3000, patterns like"
                        + " https://*.example.com, or *",
                Origins::normalize, false);
    }

    /** An http or https URL with a host, or nothing for "not set". */
    static ValueType<Optional<URI>> optionalUrl() {
        String expected = "expected an http:// or https:// URL with a host, like https://example.com/path";
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
