package dev.relay.core.room;

import java.time.Instant;

/** A room's description and counters at one moment, as the REST API and stats report it. */
public record RoomInfo(String id, String name, String description, int clientCount, int userCount,
                       long messageCount, Instant createdAt) {
}
