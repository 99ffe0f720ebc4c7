package dev.relay.core.protocol;

/**
 * A request the server refuses for a reason the client can act on. Sent as an {@code error} frame over
 * WebSocket and as the error envelope over REST; the connection stays open.
 */
public final class ProtocolException extends RuntimeException {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        // No stack trace: these are expected outcomes on the message path, not bugs, and are thrown often.
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
