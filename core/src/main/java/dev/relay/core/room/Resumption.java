package dev.relay.core.room;

import dev.relay.core.delivery.Slot;
import dev.relay.core.protocol.ServerMessage;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of resuming a room: the member's slot (new if the resume joined it), the messages it missed, or empty
 * when they cannot all be given (another epoch, history too short, or more than the replay cap), and the newest
 * {@code message_update} of each message it already had that changed after its position (a streaming answer that
 * finished while it was away), to send after them.
 */
public record Resumption(Slot slot, boolean joined, Optional<List<ServerMessage>> missed,
                         List<ServerMessage> updates) {
    public Resumption {
        updates = List.copyOf(updates);
    }
}
