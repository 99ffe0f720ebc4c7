package dev.relay.server.config;

import java.util.Optional;
import java.util.regex.Pattern;

/** Value types of the persistence settings. */
final class PersistenceTypes {
    private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("//[^/@]*@");

    private PersistenceTypes() {
    }

    /** A SQLite or PostgreSQL JDBC URL; empty means unset. Shown with its password hidden. */
    static ValueType<Optional<String>> databaseUrl() {
        ValueType<Optional<String>> text = new ValueTypes.Unsettable<>("JDBC URL", raw -> {
            if (raw instanceof RawValue.Sequence) {
                throw new BadValue("expected a JDBC URL, not a list");
            }
            String url = raw.text().strip();
            if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
                throw new BadValue("expected jdbc:postgresql://host:port/database or jdbc:sqlite:/path/file.db");
            }
            return url;
        });
        return new ValueType<>() {
            @Override
            public Optional<String> parse(RawValue raw) throws BadValue {
                return text.parse(raw);
            }

            @Override
            public String description() {
                return text.description();
            }

            @Override
            public String documentedDefault(String defaultText) {
                return text.documentedDefault(defaultText);
            }

            @Override
            public String display(RawValue raw) {
                return hidePassword(raw.display());
            }
        };
    }

    static String hidePassword(String url) {
        return USER_INFO.matcher(PASSWORD.matcher(url).replaceAll("$1***")).replaceAll("//***@");
    }
}
