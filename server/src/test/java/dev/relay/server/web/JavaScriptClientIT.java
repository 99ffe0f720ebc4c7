package dev.relay.server.web;

import org.junit.jupiter.api.Test;

import java.util.Map;

/** The JavaScript client's unit tests ({@code src/test/js/client/*.test.mjs}) against a real server. */
class JavaScriptClientIT {
    @Test
    void clientTestsPassAgainstARealServer() throws Exception {
        try (NodeTests node = NodeTests.start(Map.of(
                "recovery_max_messages", "20",
                "shutdown_timeout", "1s",
                "enable_rate_limit", "false"))) {
            node.run(Map.of(), "client/");
        }
    }
}
