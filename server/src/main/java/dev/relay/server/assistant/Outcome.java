package dev.relay.server.assistant;

/**
 * How one generation ended: {@code done}, {@code error} (with a short reason a person can read) or
 * {@code cancelled}; the names are the {@code data.stream.state} of the last {@code message_update}.
 */
record Outcome(String state, String reason) {
    static final Outcome DONE = new Outcome("done", null);
    static final Outcome CANCELLED = new Outcome("cancelled", null);

    static Outcome error(String reason) {
        return new Outcome("error", reason);
    }

    boolean isError() {
        return "error".equals(state);
    }
}
