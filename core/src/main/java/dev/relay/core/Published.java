package dev.relay.core;

import java.time.Instant;

/**
 * What the hub answers for an accepted message: the id it gave the message, when it accepted it, and for a room
 * message its place in the room's stream ({@code seq} is null otherwise, or while a first attempt is in flight).
 */
public record Published(String id, Instant timestamp, Long seq) {
    public Published(String id, Instant timestamp) {
        this(id, timestamp, null);
    }
}
