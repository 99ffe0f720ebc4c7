package dev.relay.client;

/**
 * The server accepted a message.
 *
 * @param ref the client id the message was sent with
 * @param id  the server's id for it (20 characters, ordered by time)
 * @param seq its place in the room's stream, for room messages; 0 for private messages and broadcasts
 * @param storedOffline a private message to a user with no live connection, held to be delivered when they connect
 */
public record Ack(String ref, String id, long seq, boolean storedOffline) {
}
