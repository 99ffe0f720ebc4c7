package dev.relay.core;

import dev.relay.core.room.RoomInfo;

import java.time.Instant;
import java.util.List;

/** Counters of the whole server at one moment; what {@code GET /ws/stats} reports. */
public record HubStats(int totalRooms, int onlineUsers, int connections, long totalMessages, long slowConsumers,
                       List<RoomInfo> rooms, Instant timestamp) {
}
