package dev.relay.server.config;

/**
 * The configuration cannot be used. The message is one line that names the key, the value, where it came from and
 * what was expected, e.g. {@code websocket.port = "abc" (from WS_PORT): expected an integer between 0 and 65535},
 * so a command-line tool can print it as it is and exit.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
