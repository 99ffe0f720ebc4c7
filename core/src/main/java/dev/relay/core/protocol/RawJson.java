package dev.relay.core.protocol;

/**
 * A JSON value kept as the text the client sent, so the core can pass a message's {@code data} through without
 * building or walking a tree. The transport guarantees it is well-formed when it constructs one.
 */
public record RawJson(String json) {
    public RawJson {
        if (json == null || json.isEmpty()) {
            throw new IllegalArgumentException("raw JSON must not be empty");
        }
    }

    @Override
    public String toString() {
        return json;
    }
}
