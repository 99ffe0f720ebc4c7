package dev.relay.server.assistant;

/** One message of a chat completion request: {@code system}, {@code user} or {@code assistant}, and its text. */
record ChatTurn(String role, String content) {
    static ChatTurn system(String content) {
        return new ChatTurn("system", content);
    }

    static ChatTurn user(String content) {
        return new ChatTurn("user", content);
    }

    static ChatTurn assistant(String content) {
        return new ChatTurn("assistant", content);
    }
}
