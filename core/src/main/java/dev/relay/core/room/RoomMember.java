package dev.relay.core.room;

import java.time.Instant;

/** A user in a room: how many of their connections are there, and since when the first one is. */
public record RoomMember(String userId, String name, int connections, Instant joinedAt) {
}
