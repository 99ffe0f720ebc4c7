package dev.relay.server.stomp;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

import java.util.List;

/** The CONNECT frame's {@code accept-version} and {@code heart-beat} headers, read. */
final class StompVersions {
    /** Best first. STOMP 1.0 is not spoken: its frames differ (no header escaping, no NACK). */
    static final List<String> SUPPORTED = List.of("1.2", "1.1");

    private StompVersions() {
    }

    static String negotiate(String acceptVersion) {
        if (acceptVersion != null) {
            List<String> offered = List.of(acceptVersion.replace(" ", "").split(","));
            for (String version : SUPPORTED) {
                if (offered.contains(version)) {
                    return version;
                }
            }
        }
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "Relay speaks STOMP " + String.join(" and ", SUPPORTED)
                + ": send 'accept-version:1.2'");
    }

    /** The client's {@code cx,cy} in milliseconds: {0, 0} when absent. */
    static long[] heartBeat(String header) {
        if (header == null || header.isBlank()) {
            return new long[] {0, 0};
        }
        String[] parts = header.replace(" ", "").split(",");
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            long cx = Long.parseLong(parts[0]);
            long cy = Long.parseLong(parts[1]);
            if (cx < 0 || cy < 0) {
                throw new NumberFormatException();
            }
            return new long[] {cx, cy};
        } catch (NumberFormatException e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'heart-beat' is two whole numbers, 'cx,cy'");
        }
    }
}
