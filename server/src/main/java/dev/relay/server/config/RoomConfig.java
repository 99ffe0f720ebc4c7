package dev.relay.server.config;

import java.util.List;

/**
 * @param enableRoomLimit whether {@code maxRooms} applies
 * @param maxRooms        most rooms the server holds, default rooms included
 * @param defaultRooms    ids of the rooms that exist from startup, distinct and valid by {@code RoomIds}
 */
public record RoomConfig(boolean enableRoomLimit, int maxRooms, List<String> defaultRooms) {
    public RoomConfig {
        defaultRooms = List.copyOf(defaultRooms);
    }
}
