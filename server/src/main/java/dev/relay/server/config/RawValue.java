package dev.relay.server.config;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** A value as a source wrote it, before it is read as the key's type. */
sealed interface RawValue {
    /** The text as written: a single string, or a comma-separated list. */
    String text();

    /** The items of a list: a YAML sequence's items, or the comma-separated parts of a string, trimmed. */
    List<String> items();

    /** How the value is shown in an error message: quoted, on one line. */
    String display();

    /** A string from the environment, the command line or a YAML scalar. */
    record Scalar(String text) implements RawValue {
        @Override
        public List<String> items() {
            return split(text);
        }

        @Override
        public String display() {
            return quote(text);
        }
    }

    /**
     * A YAML scalar that YAML itself reads as a boolean ({@code true}, {@code yes}, {@code on}...), kept apart so that
     * a boolean key can accept what the YAML parser accepts while a string key still sees the text as written.
     */
    record YamlBoolean(boolean value, String text) implements RawValue {
        @Override
        public List<String> items() {
            return split(text);
        }

        @Override
        public String display() {
            return quote(text);
        }
    }

    /** A YAML sequence of scalars. */
    record Sequence(List<String> items) implements RawValue {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String text() {
            return String.join(",", items);
        }

        @Override
        public List<String> items() {
            return items.stream().map(String::strip).filter(item -> !item.isEmpty()).toList();
        }

        @Override
        public String display() {
            return items.stream().map(RawValue::quote).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    /**
     * A YAML sequence of mappings ({@code webhooks:}, and any later list of the same kind), each item's values being
     * plain text or a list of plain text. Only a {@link MappingList} key reads it; other keys refuse it.
     */
    record Mappings(List<Mapping> mappings) implements RawValue {
        public Mappings {
            mappings = List.copyOf(mappings);
        }

        @Override
        public String text() {
            return display();
        }

        @Override
        public List<String> items() {
            return List.of();
        }

        /** Never the values themselves: a mapping may hold a secret. */
        @Override
        public String display() {
            return "<a list of " + mappings.size() + " mappings>";
        }
    }

    /**
     * One item of a {@link Mappings}: its keys in the order written, each value a {@code String} or a
     * {@code List<String>}, and where it was written ("line 12"), for error messages.
     */
    record Mapping(java.util.Map<String, Object> fields, String where) {
        public Mapping {
            fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
        }
    }

    private static List<String> split(String text) {
        // Blank items are dropped so that a trailing comma ("a,b,") or an empty string (an empty list) is harmless.
        return Arrays.stream(text.split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList();
    }

    /** Quotes and escapes so that a value with quotes or line breaks cannot break the one-line error format. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
