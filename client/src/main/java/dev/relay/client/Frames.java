package dev.relay.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** Builds the client's frames with ids of their own and reads the server's. Touched only on the client's scheduler. */
final class Frames {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Random per client instance (64 bits from the UUID's secure source): the server takes a repeated (user, id) for a
     * retry and does not deliver it, so two clients of one user must never draw the same ids.
     */
    private final String idPrefix = Long.toUnsignedString(UUID.randomUUID().getLeastSignificantBits(), 36);
    private long lastId;

    /** A frame of {@code type} with a fresh id. */
    ObjectNode create(String type) {
        return JSON.createObjectNode().put("type", type).put("id", "j" + idPrefix + "-" + (++lastId));
    }

    /** The frame's tree, or null when the text is not JSON. */
    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }

    static Message message(JsonNode frame) {
        Instant timestamp = null;
        String stamp = text(frame, "timestamp");
        if (stamp != null) {
            try {
                timestamp = Instant.parse(stamp);
            } catch (DateTimeParseException e) {
                timestamp = null;
            }
        }
        return new Message(text(frame, "id"), text(frame, "type"), text(frame, "from"), text(frame, "to"),
                text(frame, "room_id"), frame.path("seq").asLong(0), text(frame, "epoch"), text(frame, "content"),
                frame.path("data"), timestamp);
    }

    /** The field as text; null when it is missing or JSON null. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
