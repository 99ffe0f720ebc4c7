package dev.relay.client;

/**
 * The server refused something, or the client could not do it. {@link #code()} is the server's {@code data.code}
 * (see docs/protocol.md) or one of the client's own: {@code queue_full}, {@code not_connected}, {@code closed}.
 */
public final class RelayException extends RuntimeException {
    /** {@code send} while the pending-message queue is at its bound. */
    public static final String QUEUE_FULL = "queue_full";
    /** A binary frame while there is no connection (binary frames carry no id, so they are not queued). */
    public static final String NOT_CONNECTED = "not_connected";
    /** The client was closed, by the application or by a terminal close from the server. */
    public static final String CLOSED = "closed";

    private final String code;

    public RelayException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return "RelayException[" + code + "]: " + getMessage();
    }
}
