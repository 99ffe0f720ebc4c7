package dev.relay.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code websocket:} section of a YAML file into raw entries, each with its line. It walks the parser's
 * tokens rather than binding to a tree so that every entry keeps its line number for error messages, and so that
 * duplicate keys, which a tree would silently merge, can be refused.
 */
final class YamlFile {
    static final String SECTION = "websocket";

    /** One {@code key: value} line under {@code websocket:}. */
    record Entry(String name, RawValue value, Source source) {
    }

    private static final YAMLFactory FACTORY = new YAMLFactory();
    // SnakeYAML reports a problem as "... in 'reader', line 3, column 8:" followed by a snippet.
    private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");

    private final Path file;
    private final JsonParser parser;

    private YamlFile(Path file, JsonParser parser) {
        this.file = file;
        this.parser = parser;
    }

    static List<Entry> read(Path file) {
        String text = readText(file);
        try (JsonParser parser = FACTORY.createParser(text)) {
            return new YamlFile(file, parser).entries();
        } catch (JsonProcessingException e) {
            throw syntaxError(file, e);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String readText(Path file) {
        if (Files.isDirectory(file)) {
            throw new ConfigException("config file " + file + " is a directory, not a file");
        }
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist", e);
        } catch (CharacterCodingException e) {
            throw new ConfigException("config file " + file + " is not valid UTF-8", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    private List<Entry> entries() throws IOException {
        List<Entry> entries = new ArrayList<>();
        JsonToken token = parser.nextToken();
        if (token == null || token == JsonToken.VALUE_NULL) {
            return entries;
        }
        if (token != JsonToken.START_OBJECT) {
            throw new ConfigException(file + ", line " + line() + ": expected a mapping with a websocket: section");
        }
        Map<String, Integer> seen = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            int line = line();
            if (!name.equals(SECTION)) {
                throw new ConfigException(name + " (in " + file + ", line " + line + "): unknown top-level key; "
                        + topLevelHint(name));
            }
            refuseDuplicate(seen, name, name, line);
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_OBJECT) {
                readSection(entries);
            } else if (value != JsonToken.VALUE_NULL) {
                throw new ConfigException(SECTION + " (in " + file + ", line " + line + "): expected a mapping of"
                        + " settings such as port: 8080");
            }
        }
        if (parser.nextToken() != null) {
            throw new ConfigException(file + ", line " + line() + ": expected a single YAML document");
        }
        return entries;
    }

    private void readSection(List<Entry> entries) throws IOException {
        Map<String, Integer> seen = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            int line = line();
            refuseDuplicate(seen, SECTION + "." + name, name, line);
            Source source = Source.file(file, line);
            entries.add(new Entry(name, value(name, source), source));
        }
    }

    private RawValue value(String name, Source source) throws IOException {
        JsonToken token = parser.nextToken();
        return switch (token) {
            case VALUE_TRUE -> new RawValue.YamlBoolean(true, parser.getText());
            case VALUE_FALSE -> new RawValue.YamlBoolean(false, parser.getText());
            // "port:" with nothing after it is an empty value: an empty list, an unset secret, an error elsewhere.
            case VALUE_NULL -> new RawValue.Scalar("");
            case START_ARRAY -> sequence(name, source);
            case START_OBJECT -> throw new ConfigException(SECTION + "." + name + " (" + source + "): expected a"
                    + " single value or a list, not a mapping");
            default -> new RawValue.Scalar(parser.getText());
        };
    }

    /** A list of plain values, or a list of mappings (one level deep: their values are plain values or lists). */
    private RawValue sequence(String name, Source source) throws IOException {
        List<String> items = new ArrayList<>();
        List<RawValue.Mapping> mappings = new ArrayList<>();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token == JsonToken.START_ARRAY) {
                throw new ConfigException(SECTION + "." + name + " (" + source + "): expected a list of plain"
                        + " values or of mappings, not of lists");
            }
            if (token == JsonToken.START_OBJECT) {
                mappings.add(mapping(name, mappings.size() + 1));
            } else {
                items.add(token == JsonToken.VALUE_NULL ? "" : parser.getText());
            }
            if (!items.isEmpty() && !mappings.isEmpty()) {
                throw new ConfigException(SECTION + "." + name + " (" + source + "): expected a list of plain"
                        + " values or a list of mappings, not both");
            }
        }
        return mappings.isEmpty() ? new RawValue.Sequence(items) : new RawValue.Mappings(mappings);
    }

    private RawValue.Mapping mapping(String name, int index) throws IOException {
        String where = "item " + index + ", line " + line();
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            int line = line();
            refuseDuplicate(seen, SECTION + "." + name + "[" + index + "]." + key, key, line);
            String shown = SECTION + "." + name + "[" + index + "]." + key + " (in " + file + ", line " + line + ")";
            JsonToken token = parser.nextToken();
            if (token == JsonToken.START_OBJECT) {
                throw new ConfigException(shown + ": expected a single value or a list, not a mapping");
            }
            if (token == JsonToken.START_ARRAY) {
                List<String> values = new ArrayList<>();
                for (JsonToken item = parser.nextToken(); item != JsonToken.END_ARRAY; item = parser.nextToken()) {
                    if (item == JsonToken.START_ARRAY || item == JsonToken.START_OBJECT) {
                        throw new ConfigException(shown + ": expected a list of plain values");
                    }
                    values.add(item == JsonToken.VALUE_NULL ? "" : parser.getText());
                }
                fields.put(key, List.copyOf(values));
            } else {
                fields.put(key, token == JsonToken.VALUE_NULL ? "" : parser.getText());
            }
        }
        return new RawValue.Mapping(fields, where);
    }

    private void refuseDuplicate(Map<String, Integer> seen, String shown, String name, int line) {
        Integer first = seen.putIfAbsent(name, line);
        if (first != null) {
            throw new ConfigException(shown + " (in " + file + ", line " + line + "): set twice in the same file"
                    + " (first on line " + first + ")");
        }
    }

    private int line() {
        return parser.currentTokenLocation().getLineNr();
    }

    private static String topLevelHint(String name) {
        if (ConfigKeys.byName(name).isPresent()) {
            return "settings go under websocket:, as websocket." + name;
        }
        return Suggestions.closest(name, List.of(SECTION))
                .map(s -> "did you mean " + s + "?")
                .orElse("Relay reads only the websocket: section");
    }

    private static ConfigException syntaxError(Path file, JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        // Keep the problem sentences and drop SnakeYAML's position lines and the quoted snippet under them.
        List<String> problems = new ArrayList<>();
        String position = null;
        for (String line : original.split("\\R")) {
            Matcher mark = MARK.matcher(line);
            if (line.startsWith(" in ") && mark.find()) {
                position = "line " + mark.group(1) + ", column " + mark.group(2);
            } else if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                problems.add(line.strip());
            }
        }
        if (position == null && e.getLocation() != null) {
            position = "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        }
        return new ConfigException("invalid YAML in " + file + (position == null ? "" : ", " + position) + ": "
                + String.join("; ", problems), e);
    }
}
