package dev.relay.server.config;

import dev.relay.core.policy.ContentFilter;
import dev.relay.server.auth.PemKeys;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Value types of the security settings; kept apart from {@link ValueTypes} so that file stays general. */
final class SecurityValueTypes {
    private SecurityValueTypes() {
    }

    /** Free text where empty means "not set" (so {@code WS_JWT_ISSUER=} undoes a file's value). */
    static ValueType<Optional<String>> optionalText() {
        return new ValueTypes.Unsettable<>("string", raw -> {
            if (raw instanceof RawValue.Sequence) {
                throw new BadValue("expected text, not a list");
            }
            return raw.text().strip();
        });
    }

    /** An RSA or EC public key, as inline PEM or the path of a PEM file; read and checked at load time. */
    static ValueType<Optional<PublicKey>> publicKey() {
        return new ValueType<>() {
            @Override
            public Optional<PublicKey> parse(RawValue raw) throws BadValue {
                if (raw instanceof RawValue.Sequence) {
                    throw new BadValue("expected a PEM public key or a file path, not a list");
                }
                String text = raw.text().strip();
                if (text.isEmpty()) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(PemKeys.parse(text));
                } catch (IllegalArgumentException e) {
                    throw new BadValue(e.getMessage());
                }
            }

            @Override
            public String description() {
                return "PEM or path";
            }

            @Override
            public String display(RawValue raw) {
                String text = raw.text().strip();
                return text.startsWith("-----BEGIN") ? "<inline PEM>" : raw.display();
            }

            @Override
            public String documentedDefault(String defaultText) {
                return "(unset)";
            }
        };
    }

    /** Words for the message filter: any text; blanks are dropped and duplicates are harmless. */
    static ValueType<List<String>> words() {
        return new ValueTypes.ListOf<>("list of words", "expected a list of words", text -> text, false);
    }

    /** Secrets of at least 32 bytes each, never shown: error messages and checkconfig say only how many. */
    static ValueType<List<String>> secrets() {
        ValueTypes.ListOf<String> list = new ValueTypes.ListOf<>("list of secrets", ValueTypes.Secret.EXPECTED
                + " each", text -> {
                    if (text.getBytes(StandardCharsets.UTF_8).length < ValueTypes.MIN_SECRET_BYTES) {
                        throw new BadValue("one is shorter");
                    }
                    return text;
                }, true);
        return new ValueType<>() {
            @Override
            public List<String> parse(RawValue raw) throws BadValue {
                return list.parse(raw);
            }

            @Override
            public String description() {
                return list.description();
            }

            @Override
            public String display(RawValue raw) {
                return "<hidden, " + raw.items().size() + " secrets>";
            }

            @Override
            public String documentedDefault(String defaultText) {
                return list.documentedDefault(defaultText);
            }
        };
    }

    /** A file path where empty means "not set"; the file is read when the configuration is built. */
    static ValueType<Optional<Path>> optionalFile() {
        String expected = "expected a file path";
        return new ValueTypes.Unsettable<>("file path", raw -> {
            if (raw instanceof RawValue.Sequence) {
                throw new BadValue(expected + ", not a list");
            }
            try {
                return Path.of(raw.text().strip());
            } catch (InvalidPathException e) {
                throw new BadValue(expected + "; " + e.getReason());
            }
        });
    }

    static ValueType<ContentFilter.Action> filterAction() {
        String expected = "expected mask or reject";
        return new ValueTypes.Single<>("mask or reject", expected, text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "mask" -> ContentFilter.Action.MASK;
            case "reject" -> ContentFilter.Action.REJECT;
            default -> throw new BadValue(expected);
        });
    }

    /** Role names for a permission, or {@code *} for everyone; at least one, since an empty list would lock all out. */
    static ValueType<List<String>> roles() {
        ValueTypes.ListOf<String> list = new ValueTypes.ListOf<>("list of roles",
                "expected a list of roles like admin,moderator, or *", text -> {
                    if (text.isEmpty() || text.chars().anyMatch(Character::isWhitespace)) {
                        throw new BadValue(RawValue.quote(text) + " is not a role name");
                    }
                    return text;
                }, true);
        return new ValueType<>() {
            @Override
            public List<String> parse(RawValue raw) throws BadValue {
                List<String> roles = list.parse(raw);
                if (roles.isEmpty()) {
                    throw new BadValue("expected at least one role, or * for every user");
                }
                return roles;
            }

            @Override
            public String description() {
                return list.description();
            }
        };
    }

    /** ISO 3166-1 alpha-2 country codes such as FR or US, upper-cased. */
    static ValueType<List<String>> countries() {
        return new ValueTypes.ListOf<>("list of country codes", "expected a list of ISO country codes like FR,US",
                text -> {
                    if (!text.matches("[A-Za-z]{2}")) {
                        throw new BadValue(RawValue.quote(text) + " is not a two-letter ISO country code");
                    }
                    return text.toUpperCase(Locale.ROOT);
                }, true);
    }
}
