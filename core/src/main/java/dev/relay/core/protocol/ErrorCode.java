package dev.relay.core.protocol;

/**
 * Every machine-readable error the server can report, with the HTTP status the REST API answers it with.
 * The table is documented in docs/protocol.md; codes are part of the public contract and never renamed.
 */
public enum ErrorCode {
    INVALID_JSON("invalid_json", 400),
    INVALID_FIELD("invalid_field", 400),
    MISSING_FIELD("missing_field", 400),
    UNKNOWN_TYPE("unknown_type", 400),
    INVALID_ROOM_ID("invalid_room_id", 400),
    /** The message filter (filter_action: reject) refused the content. */
    FILTERED("filtered", 400),
    /** A query parameter of the REST API has a value it does not take (e.g. {@code window=2h}). */
    INVALID_ARGUMENT("invalid_argument", 400),
    MESSAGE_TOO_LONG("message_too_long", 413),
    PAYLOAD_TOO_LARGE("payload_too_large", 413),
    UNAUTHORIZED("unauthorized", 401),
    FORBIDDEN("forbidden", 403),
    NOT_MEMBER("not_member", 403),
    FEATURE_DISABLED("feature_disabled", 403),
    ORIGIN_NOT_ALLOWED("origin_not_allowed", 403),
    IP_FORBIDDEN("ip_forbidden", 403),
    ROOM_NOT_FOUND("room_not_found", 404),
    USER_NOT_ONLINE("user_not_online", 404),
    NOT_FOUND("not_found", 404),
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    ROOM_EXISTS("room_exists", 409),
    ROOM_LIMIT_REACHED("room_limit_reached", 409),
    /** A configuration reload read a file or environment that does not load; nothing was changed. */
    INVALID_CONFIG("invalid_config", 422),
    UPGRADE_REQUIRED("upgrade_required", 426),
    RATE_LIMITED("rate_limited", 429),
    /** A user or client address is at max_connections_per_user / max_connections_per_ip. */
    CONNECTION_LIMIT("connection_limit", 429),
    INTERNAL_ERROR("internal_error", 500),
    TOO_MANY_CONNECTIONS("too_many_connections", 503),
    OVERLOADED("overloaded", 503),
    /** The assistant is answering as many questions as it may at once (assistant_max_concurrent). */
    BUSY("busy", 503),
    TEMPORARILY_UNAVAILABLE("temporarily_unavailable", 503),
    /** A cluster node cannot reach its broker (Redis, NATS); the client retries, with the same id. */
    BROKER_UNAVAILABLE("broker_unavailable", 503),
    /** The application's backend, asked through a proxy (connect, publish, rpc), did not answer in time or sensibly. */
    UNAVAILABLE("unavailable", 503);

    private final String code;
    private final int httpStatus;

    ErrorCode(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** The snake_case code sent in {@code data.code} of an error frame and {@code error.code} of a REST error. */
    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
