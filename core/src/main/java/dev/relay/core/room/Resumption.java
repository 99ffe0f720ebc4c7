package dev.relay.core.room;

import dev.relay.core.delivery.Slot;
import dev.relay.core.protocol.ServerMessage;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of resuming a room: the member's slot (new if the resume joined it), and the messages it missed, or
 * empty when they cannot all be given (another epoch, history too short, or more than the replay cap).
 */
public record Resumption(Slot slot, boolean joined, Optional<List<ServerMessage>> missed) {
}
