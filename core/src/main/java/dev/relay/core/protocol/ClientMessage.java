package dev.relay.core.protocol;

/**
 * A message as a client sends it: the seed's {@code {type, content, room_id, to, data}} plus an optional client
 * {@code id} that the server echoes as {@code ref} in its answer. Any field may be null; the hub decides which
 * ones a type needs.
 */
public record ClientMessage(String type, String id, String content, String roomId, String to, RawJson data) {
}
