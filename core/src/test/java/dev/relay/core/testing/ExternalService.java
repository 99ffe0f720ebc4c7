package dev.relay.core.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A service that tests talk to over a real connection. Where it does not answer (a laptop without PostgreSQL, say)
 * the test is skipped with the reason in the report; with {@code WS_TEST_REQUIRE_SERVICES=true}, as {@code .ci/run}
 * sets it, a missing service fails the test instead, so CI can never pass by skipping.
 *
 * <p>Host and port can be moved with {@code WS_TEST_<NAME>_HOST} / {@code WS_TEST_<NAME>_PORT}.
 */
public record ExternalService(String name, String host, int port) {
    public static final ExternalService POSTGRES = fromEnvironment("POSTGRES", 5432);
    public static final ExternalService REDIS = fromEnvironment("REDIS", 6379);
    public static final ExternalService NATS = fromEnvironment("NATS", 4222);

    private static final int CONNECT_TIMEOUT_MILLIS = 1_000;

    private static ExternalService fromEnvironment(String name, int defaultPort) {
        String host = System.getenv().getOrDefault("WS_TEST_" + name + "_HOST", "127.0.0.1");
        String port = System.getenv().getOrDefault("WS_TEST_" + name + "_PORT", String.valueOf(defaultPort));
        return new ExternalService(name, host, Integer.parseInt(port));
    }

    /** True when CI asked for every service-backed test to run. */
    public static boolean required() {
        return Boolean.parseBoolean(System.getenv("WS_TEST_REQUIRE_SERVICES"));
    }

    /** Skips (or, when required, fails) the calling test unless the service accepts a TCP connection. */
    public void assumeAvailable() {
        if (reachable()) {
            return;
        }
        String reason = name + " is not reachable at " + host + ":" + port;
        if (required()) {
            Assertions.fail(reason + ", and WS_TEST_REQUIRE_SERVICES=true requires it");
        }
        Assumptions.abort(reason + "; skipped (WS_TEST_REQUIRE_SERVICES=true makes this a failure)");
    }

    public boolean reachable() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
