package dev.relay.core.protocol;

/**
 * Why the server closes a WebSocket connection. Codes below 4000 are RFC 6455's; 4000-4099 are Relay's
 * connection-health codes and 4400-4499 its policy codes (the table lives in docs/protocol.md).
 */
public record CloseReason(int code, String reason) {
    public static final CloseReason NORMAL = new CloseReason(1000, "normal closure");
    public static final CloseReason SHUTTING_DOWN = new CloseReason(1001, "server shutting down");
    /** The client broke RFC 6455: reserved bits with no extension to give them meaning, an invalid close code. */
    public static final CloseReason PROTOCOL_ERROR = new CloseReason(1002, "protocol error");
    /** The client kept sending far past its rate limit (see RateLimiter.ABUSE_FACTOR). */
    public static final CloseReason RATE_LIMIT_ABUSE = new CloseReason(1008, "rate limit exceeded");
    public static final CloseReason MESSAGE_TOO_BIG = new CloseReason(1009, "message too big");
    public static final CloseReason INTERNAL_ERROR = new CloseReason(1011, "internal error");
    public static final CloseReason HEARTBEAT_TIMEOUT = new CloseReason(4000, "heartbeat timeout");
    public static final CloseReason SLOW_CONSUMER = new CloseReason(4008, "slow consumer");
    /** An admin disconnected the user; the server sends the admin's reason in place of this text when given. */
    public static final CloseReason DISCONNECTED_BY_ADMIN = new CloseReason(4403, "disconnected by an administrator");
    /** The connection's token expired and no {@code refresh} replaced it in time. */
    public static final CloseReason TOKEN_EXPIRED = new CloseReason(4401, "token expired");
    /** The room asked for at connect vanished between the upgrade check and the handshake. */
    public static final CloseReason ROOM_NOT_FOUND = new CloseReason(4404, "room not found");
}
