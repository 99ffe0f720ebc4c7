package dev.relay.core;

import java.util.List;

/**
 * The limits and switches the hub enforces. The server builds it from its configuration; the meaning of each field
 * is that of the configuration key with the same name (docs/configuration.md).
 *
 * @param maxMessageLength  most code points a message's {@code content} may have
 * @param rateLimitPerMinute messages per minute per connection; 0 turns the limit off
 * @param maxRooms          most rooms the server holds; 0 means no limit
 * @param laneQueueLimit    deliveries that may wait on one event loop before publishers are refused
 */
public record HubSettings(int maxMessageLength, int rateLimitPerMinute, int maxRooms, List<String> defaultRooms,
                          boolean enableUserPresence, boolean enableMessageBroadcast,
                          boolean enablePrivateMessaging, int laneQueueLimit) {
    public static final int DEFAULT_LANE_QUEUE_LIMIT = 65_536;

    public HubSettings {
        if (maxMessageLength < 1) {
            throw new IllegalArgumentException("maxMessageLength must be positive");
        }
        if (rateLimitPerMinute < 0 || maxRooms < 0) {
            throw new IllegalArgumentException("rateLimitPerMinute and maxRooms are 0 (off) or positive");
        }
        if (laneQueueLimit < 1) {
            throw new IllegalArgumentException("laneQueueLimit must be positive");
        }
        defaultRooms = List.copyOf(defaultRooms);
    }

    /** The seed's defaults, for tests and embedding. */
    public static HubSettings defaults() {
        return new HubSettings(1000, 1000, 100, List.of("general", "announcements", "support"),
                true, true, true, DEFAULT_LANE_QUEUE_LIMIT);
    }
}
