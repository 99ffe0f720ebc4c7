package dev.relay.server.websocket;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** RFC 3339 UTC timestamps at millisecond precision, the one format of the protocol and the REST API. */
public final class Timestamps {
    private Timestamps() {
    }

    public static String format(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
