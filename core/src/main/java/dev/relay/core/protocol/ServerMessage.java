package dev.relay.core.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A message as the server sends it: the seed's {@code {id, type, from, to, room_id, content, data, timestamp}} plus,
 * for room messages, the room stream position {@code seq} and {@code epoch}. Null fields are left out of the JSON.
 * {@code data} is either {@link RawJson} (a client's data, passed through) or a {@code Map<String, ?>} of strings,
 * numbers, booleans, nested maps and lists.
 */
public record ServerMessage(String id, String type, String from, String to, String roomId, String content,
                            Object data, Instant timestamp, Long seq, String epoch) {

    /** A message outside any room stream. */
    public ServerMessage(String id, String type, String from, String to, String roomId, String content, Object data,
                         Instant timestamp) {
        this(id, type, from, to, roomId, content, data, timestamp, null, null);
    }

    public static ServerMessage event(String type, String roomId, Map<String, ?> data, Instant timestamp) {
        return new ServerMessage(null, type, null, null, roomId, null, data, timestamp);
    }

    /** This message placed in a room stream. */
    public ServerMessage at(long seq, String epoch) {
        return new ServerMessage(id, type, from, to, roomId, content, data, timestamp, seq, epoch);
    }
}
