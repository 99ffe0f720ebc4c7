package dev.relay.server.http;

/** What the REST side tells observability. Called on event loops: implementations must be cheap and not block. */
public interface RequestEvents {
    RequestEvents NONE = new RequestEvents() {
    };

    /**
     * A request was answered.
     *
     * @param route the matched route's pattern, e.g. {@code /ws/rooms/{id}/join}, or {@code unmatched}
     * @param nanos from routing to writing the answer
     */
    default void answered(String method, String route, int status, long nanos) {
    }

    /**
     * A REST call was refused for its token.
     *
     * @param token the token it carried, or null; for attributing the failure, never logged
     */
    default void unauthorized(String client, String detail, String token) {
    }
}
