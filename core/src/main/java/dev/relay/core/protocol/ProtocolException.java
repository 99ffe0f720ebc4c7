package dev.relay.core.protocol;

/**
 * A request the server refuses for a reason the client can act on. Sent as an {@code error} frame over
 * WebSocket and as the error envelope over REST; the connection stays open.
 */
public final class ProtocolException extends RuntimeException {
    private final ErrorCode code;
    private final long retryAfterMillis;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, -1);
    }

    /** @param retryAfterMillis when the client may try again (sent as {@code retry_after_ms}); -1 for no hint */
    public ProtocolException(ErrorCode code, String message, long retryAfterMillis) {
        // No stack trace: these are expected outcomes on the message path, not bugs, and are thrown often.
        super(message, null, false, false);
        this.code = code;
        this.retryAfterMillis = retryAfterMillis;
    }

    /** Milliseconds after which a retry may succeed, or -1 when the error gives no such hint. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    public ErrorCode code() {
        return code;
    }
}
