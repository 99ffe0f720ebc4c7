package dev.relay.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The figures of one run, in the order they are printed; the same map is written as JSON. */
public final class Result {
    private final Map<String, Object> values = new LinkedHashMap<>();

    public Result put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    public Object get(String key) {
        return values.get(key);
    }

    public long getLong(String key) {
        return ((Number) values.get(key)).longValue();
    }

    public Map<String, Object> values() {
        return values;
    }

    public void printTable(PrintStream out) {
        int width = values.keySet().stream().mapToInt(String::length).max().orElse(10);
        out.println("-".repeat(width + 24));
        values.forEach((key, value) -> out.printf(Locale.ROOT, "%-" + width + "s  %s%n", key, format(value)));
        out.println("-".repeat(width + 24));
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), values);
    }

    public String toJson() throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(values);
    }

    static String format(Object value) {
        if (value instanceof Double d) {
            return Math.abs(d) >= 1000 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.3f", d);
        }
        if (value instanceof Long || value instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
        }
        return String.valueOf(value);
    }
}
