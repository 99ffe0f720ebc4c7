package dev.relay.client;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Opens WebSockets. The JDK's in production ({@link JdkConnector}); a scripted one in the client's unit tests. */
interface Connector {
    /** How many received messages may wait for the client before the connector stops reading. */
    int WINDOW = 64;

    /**
     * Opens a WebSocket. The link is handed to {@link Events#onOpen} before anything arrives on it; the future fails
     * with {@link HandshakeRefused} when the server answered the upgrade with an HTTP error, and with another
     * exception when it could not be reached.
     */
    CompletableFuture<Void> open(URI uri, Map<String, String> headers, Events events);

    /** Releases what the connector holds (threads, sockets); called once, when its client closes. */
    default void shutdown() {
    }

    /** An open WebSocket. Sends may be called from any thread, without waiting for the previous one. */
    interface Link {
        CompletableFuture<Void> sendText(String text);

        CompletableFuture<Void> sendBinary(ByteBuffer bytes);

        /** Closes politely (a close frame), dropping the socket if the server does not answer in time. */
        void close(int code, String reason);

        /** Drops the socket at once, for a connection that has stopped answering. */
        void abort();
    }

    /**
     * What arrives on a link; called from the connector's threads, one call at a time. A message's future completes
     * when the client has handled it: the connector has at most {@link #WINDOW} messages unhandled.
     */
    interface Events {
        void onOpen(Link link);

        CompletableFuture<Void> onText(String text);

        CompletableFuture<Void> onBinary(ByteBuffer bytes);

        /** The server closed the connection with a close frame. */
        void onClosed(int code, String reason);

        /** The connection broke without a close frame. */
        void onFailure(Throwable error);
    }

    /** The server answered the upgrade with an HTTP error instead of a WebSocket. */
    final class HandshakeRefused extends Exception {
        private final int status;
        private final Duration retryAfter;

        HandshakeRefused(int status, Duration retryAfter, String body) {
            super("the server refused the connection with HTTP " + status + (body.isEmpty() ? "" : ": " + body));
            this.status = status;
            this.retryAfter = retryAfter;
        }

        int status() {
            return status;
        }

        /** The server's {@code Retry-After}, or zero. */
        Duration retryAfter() {
            return retryAfter;
        }
    }
}
