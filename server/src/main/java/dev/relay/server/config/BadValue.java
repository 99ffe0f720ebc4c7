package dev.relay.server.config;

/**
 * A value that cannot be read as its key's type; the message says what was expected. The key, the value and the
 * source are added by the caller, which knows them.
 */
final class BadValue extends Exception {
    BadValue(String expected) {
        // No stack trace: this is a user's typo, reported as one line, never a bug to debug.
        super(expected, null, false, false);
    }
}
