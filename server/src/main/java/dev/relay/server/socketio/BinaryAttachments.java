package dev.relay.server.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Socket.IO's binary attachments in Relay's JSON: an attachment's placeholder ({@code {"_placeholder":true,"num":0}})
 * becomes {@code {"_binary":"<base64>"}} in the message the hub relays, which every Relay client can read, and such
 * an object becomes an attachment again for Socket.IO recipients.
 */
final class BinaryAttachments {
    static final String BINARY = "_binary";

    private BinaryAttachments() {
    }

    /** The arguments with each placeholder replaced by its attachment, base64 in a {@code _binary} object. */
    static JsonNode fill(JsonNode node, List<byte[]> attachments) {
        if (node instanceof ObjectNode object) {
            if (object.path("_placeholder").asBoolean(false) && object.path("num").canConvertToInt()) {
                int num = object.path("num").asInt();
                if (num < 0 || num >= attachments.size()) {
                    throw new IllegalArgumentException("a placeholder for attachment " + num + " of "
                            + attachments.size());
                }
                return JsonNodeFactory.instance.objectNode()
                        .put(BINARY, Base64.getEncoder().encodeToString(attachments.get(num)));
            }
            for (Map.Entry<String, JsonNode> field : List.copyOf(object.properties())) {
                object.set(field.getKey(), fill(field.getValue(), attachments));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, fill(array.get(i), attachments));
            }
        }
        return node;
    }

    /** Replaces each {@code _binary} object by a placeholder, answering the attachments in order (none: empty). */
    static List<byte[]> extract(JsonNode node) {
        List<byte[]> attachments = new ArrayList<>();
        extract(node, attachments);
        return attachments;
    }

    private static JsonNode extract(JsonNode node, List<byte[]> attachments) {
        if (node instanceof ObjectNode object) {
            if (object.size() == 1 && object.path(BINARY).isTextual()) {
                try {
                    byte[] bytes = Base64.getDecoder().decode(object.path(BINARY).asText());
                    attachments.add(bytes);
                    return JsonNodeFactory.instance.objectNode().put("_placeholder", true)
                            .put("num", attachments.size() - 1);
                } catch (IllegalArgumentException notBase64) {
                    return node; // someone's own field of that name: left as it is
                }
            }
            for (Map.Entry<String, JsonNode> field : List.copyOf(object.properties())) {
                object.set(field.getKey(), extract(field.getValue(), attachments));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, extract(array.get(i), attachments));
            }
        }
        return node;
    }
}
