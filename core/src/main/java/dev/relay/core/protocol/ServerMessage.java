package dev.relay.core.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A message as the server sends it: the seed's {@code {id, type, from, to, room_id, content, data, timestamp}}.
 * Null fields are left out of the JSON. {@code data} is either {@link RawJson} (a client's data, passed through)
 * or a {@code Map<String, ?>} of strings, numbers, booleans, nested maps and lists.
 */
public record ServerMessage(String id, String type, String from, String to, String roomId, String content,
                            Object data, Instant timestamp) {

    public static ServerMessage event(String type, String roomId, Map<String, ?> data, Instant timestamp) {
        return new ServerMessage(null, type, null, null, roomId, null, data, timestamp);
    }
}
