package dev.relay.core.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A room created at run time, as the nodes share it so that it exists on every one: what its creator asked for,
 * and for a private room who may enter. {@link #encode()} gives one string an engine can store and send as it is.
 */
public record SharedRoomSpec(String id, String name, String description, boolean isPrivate, Set<String> members) {
    public SharedRoomSpec {
        members = Set.copyOf(members);
    }

    /** Length-prefixed fields ({@code 5:hello}), so names holding any character survive. */
    public String encode() {
        StringBuilder out = new StringBuilder();
        for (String field : fields()) {
            out.append(field.length()).append(':').append(field);
        }
        return out.toString();
    }

    private List<String> fields() {
        List<String> fields = new ArrayList<>(List.of(id, name, description, isPrivate ? "1" : "0"));
        fields.addAll(new TreeSet<>(members));
        return fields;
    }

    /** The room as {@link #encode()} wrote it; throws {@link IllegalArgumentException} for anything else. */
    public static SharedRoomSpec decode(String text) {
        List<String> fields = new ArrayList<>();
        int at = 0;
        try {
            while (at < text.length()) {
                int colon = text.indexOf(':', at);
                int length = Integer.parseInt(text.substring(at, colon));
                fields.add(text.substring(colon + 1, colon + 1 + length));
                at = colon + 1 + length;
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a shared room: " + text, e);
        }
        if (fields.size() < 4) {
            throw new IllegalArgumentException("not a shared room: " + text);
        }
        return new SharedRoomSpec(fields.get(0), fields.get(1), fields.get(2), fields.get(3).equals("1"),
                Set.copyOf(fields.subList(4, fields.size())));
    }
}
