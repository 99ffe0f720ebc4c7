package dev.relay.server.config;

import java.util.Locale;

/**
 * One setting: its name under {@code websocket:}, how its value is read, its default (written the way a user would
 * write it, and read by the same parser) and a one-line meaning for the docs.
 *
 * @param planned true for settings that are accepted and validated but do not change the server's behaviour yet
 */
record ConfigKey<T>(String name, ValueType<T> type, String defaultText, String meaning, boolean planned) {
    /** The name as it appears in error messages and the docs, e.g. {@code websocket.port}. */
    String path() {
        return "websocket." + name;
    }

    /** The environment variable that sets this key, e.g. {@code WS_PORT}. */
    String environmentVariable() {
        return "WS_" + name.toUpperCase(Locale.ROOT);
    }

    T parse(RawValue raw, Source source) {
        if (raw instanceof RawValue.Mappings && !(type instanceof MappingList<?>)) {
            throw new ConfigException(path() + " (" + source + "): expected a single value or a list of plain values,"
                    + " not a list of mappings");
        }
        try {
            return type.parse(raw);
        } catch (BadValue e) {
            throw new ConfigException(path() + " = " + type.display(raw) + " (" + source + "): " + e.getMessage());
        }
    }

    T defaultValue() {
        return parse(new RawValue.Scalar(defaultText), Source.DEFAULT);
    }
}
