package dev.relay.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fields of one item of a {@link MappingList}, read by name and type. Each getter remembers the name it was
 * asked for, so that {@link #refuseUnread()} can refuse a misspelt field instead of ignoring it; errors start with the
 * field's name, and {@link MappingList} puts the item before it.
 */
final class MappingFields {
    private final Map<String, Object> fields;
    private final Set<String> asked = new HashSet<>();

    MappingFields(RawValue.Mapping mapping) {
        this.fields = mapping.fields();
    }

    /** Text that must be present and not empty. */
    String required(String name) throws BadValue {
        return optional(name).orElseThrow(() -> new BadValue(name + ": required"));
    }

    Optional<String> optional(String name) throws BadValue {
        Object value = value(name);
        if (value instanceof List<?>) {
            throw new BadValue(name + ": expected a single value, not a list");
        }
        String text = value == null ? "" : ((String) value).strip();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** A list, written as a YAML list or as comma-separated text; missing or empty: an empty list. */
    List<String> list(String name) throws BadValue {
        Object value = value(name);
        if (value instanceof List<?> values) {
            return values.stream().map(item -> ((String) item).strip()).filter(item -> !item.isEmpty()).toList();
        }
        return value == null ? List.of() : new RawValue.Scalar((String) value).items();
    }

    /** A duration; {@code 0} (with or without a unit) is zero, which callers read as "off" or "at once". */
    Duration duration(String name, Duration otherwise) throws BadValue {
        Optional<String> text = optional(name);
        if (text.isEmpty()) {
            return otherwise;
        }
        if (text.get().matches("0+(\\.0+)?(ns|us|µs|ms|s|m|h|d)?")) {
            return Duration.ZERO;
        }
        try {
            return Durations.parse(text.get());
        } catch (BadValue e) {
            throw new BadValue(name + ": " + e.getMessage());
        }
    }

    boolean bool(String name, boolean otherwise) throws BadValue {
        Optional<String> text = optional(name);
        if (text.isEmpty()) {
            return otherwise;
        }
        return switch (text.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new BadValue(name + ": expected true or false");
        };
    }

    int integer(String name, int otherwise, int min, int max) throws BadValue {
        Optional<String> text = optional(name);
        if (text.isEmpty()) {
            return otherwise;
        }
        try {
            int value = Integer.parseInt(text.get());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        throw new BadValue(name + ": expected an integer between " + min + " and " + max);
    }

    /** An http or https URL with a host. */
    URI url(String name) throws BadValue {
        String text = required(name);
        String expected = name + ": expected an http:// or https:// URL with a host, like https://example.com/path";
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new BadValue(expected);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new BadValue(expected);
        }
    }

    /** Refuses the first field no getter asked for, with a guess at the name meant. */
    void refuseUnread() throws BadValue {
        for (String name : fields.keySet()) {
            if (!asked.contains(name)) {
                throw new BadValue(name + ": unknown field" + Suggestions.closest(name, List.copyOf(asked))
                        .map(guess -> "; did you mean " + guess + "?").orElse(""));
            }
        }
    }

    private Object value(String name) {
        asked.add(name);
        return fields.get(name);
    }
}
