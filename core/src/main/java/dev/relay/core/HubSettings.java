package dev.relay.core;

import java.time.Duration;
import java.util.List;

/**
 * The limits and switches the hub enforces. The server builds it from its configuration; the meaning of each field
 * is that of the configuration key with the same name (docs/configuration.md).
 *
 * @param maxMessageLength    most code points a message's {@code content} may have
 * @param rateLimitPerMinute  messages per minute per connection; 0 turns the limit off
 * @param maxRooms            most rooms the server holds; 0 means no limit
 * @param laneQueueLimit      deliveries that may wait on one event loop before publishers are refused
 * @param historySize         messages kept per room for resume
 * @param historyTtl          how long a message is kept for resume
 * @param recoveryMaxMessages most messages one resume may replay
 * @param dedupWindow         how long a retried client message id is recognised; zero turns it off
 * @param enableUserStatus    track away/online from activity
 * @param userStatusTimeout   inactivity after which a user becomes away
 * @param presenceMaxRoomUsers rooms with more users than this get no user_joined, user_left or presence events;
 *                             0 means no limit
 */
public record HubSettings(int maxMessageLength, int rateLimitPerMinute, int maxRooms, List<String> defaultRooms,
                          boolean enableUserPresence, boolean enableMessageBroadcast,
                          boolean enablePrivateMessaging, int laneQueueLimit, int historySize, Duration historyTtl,
                          int recoveryMaxMessages, Duration dedupWindow, boolean enableUserStatus,
                          Duration userStatusTimeout, int presenceMaxRoomUsers) {
    public static final int DEFAULT_LANE_QUEUE_LIMIT = 65_536;
    public static final int DEFAULT_HISTORY_SIZE = 1000;
    public static final Duration DEFAULT_HISTORY_TTL = Duration.ofMinutes(10);
    public static final int DEFAULT_RECOVERY_MAX_MESSAGES = 1000;
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofMinutes(2);
    public static final Duration DEFAULT_USER_STATUS_TIMEOUT = Duration.ofMinutes(5);
    /**
     * Each event goes to every member, so announcing every arrival costs a room of n users n² frames as it fills;
     * past this size members ask for the member list instead.
     */
    public static final int DEFAULT_PRESENCE_MAX_ROOM_USERS = 1000;

    public HubSettings {
        if (maxMessageLength < 1) {
            throw new IllegalArgumentException("maxMessageLength must be positive");
        }
        if (rateLimitPerMinute < 0 || maxRooms < 0 || presenceMaxRoomUsers < 0) {
            throw new IllegalArgumentException("rateLimitPerMinute, maxRooms and presenceMaxRoomUsers are 0 (off) or positive");
        }
        if (laneQueueLimit < 1) {
            throw new IllegalArgumentException("laneQueueLimit must be positive");
        }
        if (historySize < 0 || recoveryMaxMessages < 0) {
            throw new IllegalArgumentException("historySize and recoveryMaxMessages must not be negative");
        }
        if (historyTtl.isNegative() || dedupWindow.isNegative() || userStatusTimeout.isNegative()
                || userStatusTimeout.isZero()) {
            throw new IllegalArgumentException("durations must be positive (dedupWindow may be zero)");
        }
        defaultRooms = List.copyOf(defaultRooms);
    }

    /** The delivery and status settings at their defaults. */
    public HubSettings(int maxMessageLength, int rateLimitPerMinute, int maxRooms, List<String> defaultRooms,
                       boolean enableUserPresence, boolean enableMessageBroadcast, boolean enablePrivateMessaging,
                       int laneQueueLimit) {
        this(maxMessageLength, rateLimitPerMinute, maxRooms, defaultRooms, enableUserPresence, enableMessageBroadcast,
                enablePrivateMessaging, laneQueueLimit, DEFAULT_HISTORY_SIZE, DEFAULT_HISTORY_TTL,
                DEFAULT_RECOVERY_MAX_MESSAGES, DEFAULT_DEDUP_WINDOW, true, DEFAULT_USER_STATUS_TIMEOUT,
                DEFAULT_PRESENCE_MAX_ROOM_USERS);
    }

    /** The seed's defaults, for tests and embedding. */
    public static HubSettings defaults() {
        return new HubSettings(1000, 1000, 100, List.of("general", "announcements", "support"),
                true, true, true, DEFAULT_LANE_QUEUE_LIMIT);
    }
}
