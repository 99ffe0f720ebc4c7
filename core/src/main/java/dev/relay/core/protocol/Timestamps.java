package dev.relay.core.protocol;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * RFC 3339 UTC timestamps with exactly three fractional digits ({@code 2024-01-01T00:00:00.000Z}), the one format of
 * the protocol and the REST API; a fixed width keeps them sortable as text.
 */
public final class Timestamps {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    public static String format(Instant instant) {
        return FORMAT.format(instant);
    }
}
