package dev.relay.client;

/**
 * A room was resumed after a reconnect.
 *
 * @param roomId    the room
 * @param recovered true when every missed message was replayed (and handed to the message listeners before this);
 *                  false when the application should reload the room's state, e.g. through the REST API (the server
 *                  restarted, or history no longer reaches back far enough)
 * @param replayed  how many messages were replayed
 * @param epoch     the room's epoch now
 * @param seq       the position live delivery continues after
 */
public record Resumed(String roomId, boolean recovered, int replayed, String epoch, long seq) {
}
