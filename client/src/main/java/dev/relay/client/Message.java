package dev.relay.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * A room message, private message or broadcast from the server.
 *
 * @param id        the server's id
 * @param type      {@code room_message}, {@code private_message} or {@code broadcast}
 * @param from      the sender's user id ({@code system} for messages the server publishes itself)
 * @param to        the recipient of a private message; null otherwise
 * @param roomId    the room of a room message; null otherwise
 * @param seq       the room message's place in the room's stream (from 1); 0 for other types
 * @param epoch     the run of the room's stream the message belongs to; null for other types
 * @param content   the text; null when the message had only data
 * @param data      the sender's {@code data}, as sent; a missing node when there was none
 * @param timestamp when the server accepted it
 */
public record Message(String id, String type, String from, String to, String roomId, long seq, String epoch,
                      String content, JsonNode data, Instant timestamp) {
}
