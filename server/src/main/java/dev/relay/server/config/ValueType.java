package dev.relay.server.config;

/** How one kind of setting is read from text, described in the docs and shown in errors. */
interface ValueType<T> {
    /** Reads the value or throws {@link BadValue} saying what was expected. */
    T parse(RawValue raw) throws BadValue;

    /** The type as the configuration page's table names it, e.g. {@code integer 0..65535}. */
    String description();

    /** The value as an error message may show it. */
    default String display(RawValue raw) {
        return raw.display();
    }

    /** The default as the configuration page's table shows it. */
    default String documentedDefault(String defaultText) {
        return "`" + defaultText + "`";
    }
}
