package dev.relay.server.config;

import dev.relay.core.identity.UserIds;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The kinds of setting the assistant keys add: an API key never shown, a user id, text, room globs. */
final class AssistantTypes {
    private AssistantTypes() {
    }

    /** Any non-empty text, or nothing; shown in errors and dumps only by its length. */
    static ValueType<Optional<String>> apiKey() {
        ValueType<Optional<String>> text = SecurityValueTypes.optionalText();
        return new ValueType<>() {
            @Override
            public Optional<String> parse(RawValue raw) throws BadValue {
                return text.parse(raw);
            }

            @Override
            public String description() {
                return "secret string";
            }

            @Override
            public String display(RawValue raw) {
                return "<hidden, " + raw.text().getBytes(StandardCharsets.UTF_8).length + " bytes>";
            }

            @Override
            public String documentedDefault(String defaultText) {
                return "(unset)";
            }
        };
    }

    static ValueType<String> userId() {
        String expected = "expected a user id (" + UserIds.RULE + ")";
        return new ValueTypes.Single<>("user id", expected, text -> {
            if (!UserIds.isValid(text)) {
                throw new BadValue(expected);
            }
            return text;
        });
    }

    /** Non-empty text on one line or several (a prompt). */
    static ValueType<String> text() {
        String expected = "expected non-empty text";
        return new ValueTypes.Single<>("string", expected, text -> {
            if (text.isEmpty()) {
                throw new BadValue(expected);
            }
            return text;
        });
    }

    /** Room id patterns where {@code *} stands for any characters: {@code *}, {@code support-*}, {@code general}. */
    static ValueType<java.util.List<String>> roomGlobs() {
        return new ValueTypes.ListOf<>("list of room patterns", "expected a list of room ids or patterns with *",
                text -> {
                    if (text.isEmpty() || !text.matches("[A-Za-z0-9_*:.-]+")) {
                        throw new BadValue(RawValue.quote(text) + " is not a room id or pattern");
                    }
                    return text;
                }, true);
    }
}
