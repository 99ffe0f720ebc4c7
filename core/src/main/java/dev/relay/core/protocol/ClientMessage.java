package dev.relay.core.protocol;

import java.util.Map;

/**
 * A message as a client sends it: the seed's {@code {type, content, room_id, to, data}} plus an optional client
 * {@code id} that the server echoes as {@code ref} in its answers. Any field may be null; the hub decides which ones
 * a type needs.
 *
 * @param control the top-level fields of {@code data} as plain values, decoded only for control messages whose
 *                data the server reads ({@code resume}); empty for everything else, whose data only passes through
 */
public record ClientMessage(String type, String id, String content, String roomId, String to, RawJson data,
                            Map<String, Object> control) {

    public ClientMessage {
        control = control == null ? Map.of() : control;
    }

    public ClientMessage(String type, String id, String content, String roomId, String to, RawJson data) {
        this(type, id, content, roomId, to, data, Map.of());
    }
}
