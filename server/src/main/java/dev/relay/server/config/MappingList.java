package dev.relay.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A key whose value is a list of mappings, such as {@code webhooks:}: each item is read by an {@link ItemReader}
 * through {@link MappingFields}, which names the item and the field in every error and refuses fields the reader did
 * not ask for. In YAML it is a block or flow sequence of mappings; from the environment or the command line the same
 * list is written inline, as JSON or YAML flow text ({@code WS_WEBHOOKS='[{"url": "https://..."}]'}). Empty: no items.
 *
 * <p>A new list key needs a record with a {@code static read(MappingFields)} (see {@link WebhookConfig#read}) and a
 * key registered with {@code new MappingList<>("list of things", "thing", Thing::read)}; nothing else changes.
 */
record MappingList<T>(String description, String itemName, ItemReader<T> reader) implements ValueType<List<T>> {
    private static final ObjectMapper FLOW = new ObjectMapper(new YAMLFactory());

    /** Reads one item; ask for every field the item may have, the others are refused as unknown. */
    @FunctionalInterface
    interface ItemReader<T> {
        T read(MappingFields fields) throws BadValue;
    }

    @Override
    public List<T> parse(RawValue raw) throws BadValue {
        List<RawValue.Mapping> mappings = switch (raw) {
            case RawValue.Mappings list -> list.mappings();
            case RawValue.Sequence sequence when sequence.items().isEmpty() -> List.of();
            case RawValue.Sequence sequence -> throw new BadValue("expected a list of " + itemName
                    + " mappings, not of plain values");
            default -> inline(raw.text().strip());
        };
        List<T> items = new ArrayList<>();
        for (RawValue.Mapping mapping : mappings) {
            MappingFields fields = new MappingFields(mapping);
            try {
                items.add(reader.read(fields));
                fields.refuseUnread();
            } catch (BadValue e) {
                throw new BadValue(itemName + " " + mapping.where() + ": " + e.getMessage());
            }
        }
        return List.copyOf(items);
    }

    /** The list written as JSON or YAML flow text, as the environment and the command line must. */
    private List<RawValue.Mapping> inline(String text) throws BadValue {
        if (text.isEmpty()) {
            return List.of();
        }
        Object tree;
        try {
            tree = FLOW.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new BadValue("expected a list of " + itemName + " mappings as JSON, like [{\"url\": \"...\"}]");
        }
        if (!(tree instanceof List<?> list)) {
            throw new BadValue("expected a list of " + itemName + " mappings as JSON, like [{\"url\": \"...\"}]");
        }
        List<RawValue.Mapping> mappings = new ArrayList<>();
        for (Object item : list) {
            String where = "item " + (mappings.size() + 1);
            if (!(item instanceof Map<?, ?> map)) {
                throw new BadValue(itemName + " " + where + ": expected a mapping");
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                fields.put(String.valueOf(entry.getKey()), plain(entry.getValue(), where, entry.getKey()));
            }
            mappings.add(new RawValue.Mapping(fields, where));
        }
        return mappings;
    }

    private Object plain(Object value, String where, Object key) throws BadValue {
        if (value instanceof Map<?, ?>) {
            throw new BadValue(itemName + " " + where + ": " + key + ": expected a single value or a list");
        }
        if (value instanceof List<?> values) {
            List<String> texts = new ArrayList<>();
            for (Object item : values) {
                if (item instanceof Map<?, ?> || item instanceof List<?>) {
                    throw new BadValue(itemName + " " + where + ": " + key + ": expected a list of plain values");
                }
                texts.add(item == null ? "" : String.valueOf(item));
            }
            return List.copyOf(texts);
        }
        return value == null ? "" : String.valueOf(value);
    }

    /** Never the values: an item may hold a secret. */
    @Override
    public String display(RawValue raw) {
        return raw instanceof RawValue.Mappings ? raw.display() : "<" + itemName + " list>";
    }

    @Override
    public String documentedDefault(String defaultText) {
        return defaultText.isEmpty() ? "(empty)" : "`" + defaultText + "`";
    }
}
