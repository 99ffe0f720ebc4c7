package dev.relay.server.web;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The web page at {@code /} in headless Chromium ({@code src/test/js/browser/*.test.mjs}, driven by playwright-core
 * with Debian's {@code chromium}, never a downloaded browser): two sessions chat in a room and in private, the
 * server restarts mid-conversation, the admin dashboard charts connections. Screenshots go to
 * {@code target/screenshots}. Skipped without Chromium, failed in CI ({@code WS_TEST_REQUIRE_SERVICES=true}).
 */
class BrowserIT {
    private static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");

    @Test
    void chatRestartAndDashboardInARealBrowser() throws Exception {
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            NodeTests.requireTool(CHROMIUM, "--version"); // skips, or fails in CI, with the reason
        }
        try (NodeTests node = NodeTests.start(Map.of("shutdown_timeout", "1s"))) {
            node.run(Map.of("CHROMIUM", CHROMIUM,
                    "RELAY_SCREENSHOTS", Path.of("target/screenshots").toAbsolutePath().toString()), "browser/");
        }
    }
}
