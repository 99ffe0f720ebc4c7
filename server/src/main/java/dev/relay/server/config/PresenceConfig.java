package dev.relay.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * @param enableUserStatus   turn idle users away automatically, and back online when they send something
 * @param userStatusTimeout  inactivity (on every node, in a cluster) after which a user becomes away
 * @param enableUserPresence whether rooms get user_joined and user_left events
 * @param presenceMaxRoomUsers rooms with more users than this get no presence events; 0 means no limit
 */
public record PresenceConfig(boolean enableUserStatus, Duration userStatusTimeout, boolean enableUserPresence,
                             int presenceMaxRoomUsers) {
    public PresenceConfig {
        Objects.requireNonNull(userStatusTimeout, "userStatusTimeout");
    }
}
