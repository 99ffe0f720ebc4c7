package dev.relay.server.observe;

import java.time.Instant;

/**
 * One entry of a user's activity. Repeated events of the same kind (messages sent to one room, rate-limit hits) are
 * folded into one entry with a {@code count}, from {@code at} to {@code last}, so a chatty or abusive client cannot
 * push everything else out of the ring. Message contents are never recorded.
 *
 * @param type      {@code connect}, {@code disconnect}, {@code join}, {@code leave}, {@code message_sent},
 *                  {@code rate_limited}, {@code refused} or {@code auth_failure}
 * @param clientId  the connection, when known
 * @param roomId    the room, for joins, leaves and room messages
 * @param closeCode the close code, for disconnects
 * @param detail    the message type for {@code message_sent}, the error code for {@code refused}, the client
 *                  address for {@code connect}, the reason for {@code auth_failure} (filed under {@code ip:ADDRESS})
 */
public record ActivityEvent(String type, Instant at, Instant last, long count, String clientId, String roomId,
                            Integer closeCode, String detail) {
    static final String CONNECT = "connect";
    static final String DISCONNECT = "disconnect";
    static final String JOIN = "join";
    static final String LEAVE = "leave";
    static final String MESSAGE_SENT = "message_sent";
    static final String RATE_LIMITED = "rate_limited";
    static final String REFUSED = "refused";
    static final String FILTERED = "filtered";
    static final String AUTH_FAILURE = "auth_failure";

    /** Whether repeats of this type are folded into one entry. */
    static boolean folds(String type) {
        return type.equals(MESSAGE_SENT) || type.equals(RATE_LIMITED) || type.equals(REFUSED)
                || type.equals(FILTERED) || type.equals(AUTH_FAILURE);
    }

    /**
     * Whether repeats fold even when their details differ: a refused token's reason can quote what the client sent
     * (its {@code alg}), which must not let a flood of variations write an audit line each. The first reason stays.
     */
    static boolean foldsWhateverTheDetail(String type) {
        return type.equals(AUTH_FAILURE);
    }
}
