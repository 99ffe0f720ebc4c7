package dev.relay.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * @param enableUserStatus   user status tracking (planned: accepted, no effect yet)
 * @param userStatusTimeout  inactivity before a user's status changes (planned: accepted, no effect yet)
 * @param enableUserPresence whether rooms get user_joined and user_left events
 * @param presenceMaxRoomUsers rooms with more users than this get no presence events; 0 means no limit
 */
public record PresenceConfig(boolean enableUserStatus, Duration userStatusTimeout, boolean enableUserPresence,
                             int presenceMaxRoomUsers) {
    public PresenceConfig {
        Objects.requireNonNull(userStatusTimeout, "userStatusTimeout");
    }
}
