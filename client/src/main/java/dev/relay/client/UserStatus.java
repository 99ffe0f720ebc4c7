package dev.relay.client;

import java.util.Locale;

/** The statuses a user may choose ({@code offline} is the server's to give). */
public enum UserStatus {
    ONLINE, AWAY, BUSY;

    String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
