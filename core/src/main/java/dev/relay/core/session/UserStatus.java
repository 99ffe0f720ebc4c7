package dev.relay.core.session;

import java.util.Locale;
import java.util.Optional;

/** What a user shows to the rooms they are in. */
public enum UserStatus {
    ONLINE, AWAY, BUSY, OFFLINE;

    /** The wire name: {@code online}, {@code away}, {@code busy}, {@code offline}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A status a user may choose (everything but offline, which only the last disconnect sets). */
    public static Optional<UserStatus> choosable(String wireName) {
        for (UserStatus status : values()) {
            if (status != OFFLINE && status.wireName().equals(wireName)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
