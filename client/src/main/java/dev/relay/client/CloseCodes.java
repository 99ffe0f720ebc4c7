package dev.relay.client;

/** What the client does after the server closes the connection or refuses the handshake (docs/protocol.md). */
final class CloseCodes {
    private CloseCodes() {
    }

    /**
     * Close codes after which a client reconnects by itself: the server going away, a server error, a heartbeat
     * timeout, a slow consumer, a broken connection (0, 1006), and an expired token when a fresh one can be fetched.
     * After the others (kicked, rate limit abuse, too big...) reconnecting would repeat them.
     */
    static boolean reconnectsAfter(int code, boolean refreshable) {
        return switch (code) {
            case 0, 1001, 1006, 1011, 4000, 4008 -> true;
            case 4401 -> refreshable;
            default -> false;
        };
    }

    /** A refused handshake worth retrying with the same request later: overload and server errors. */
    static boolean retryableRefusal(int status) {
        return status == 429 || status >= 500;
    }
}
