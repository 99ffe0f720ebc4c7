package dev.relay.core.local;

/**
 * What the hub answered for a message an in-process client sent: the message's id, and for a room message its
 * {@code seq} and the room's {@code epoch} (both null otherwise); {@code storedOffline} for a private message held for
 * a user with no live connection.
 */
public record LocalAck(String id, Long seq, String epoch, boolean storedOffline) {
}
