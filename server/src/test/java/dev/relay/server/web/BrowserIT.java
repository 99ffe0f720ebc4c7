package dev.relay.server.web;

import dev.relay.server.testing.FakeModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

    /**
     * The assistant's answer growing in place in the page, then a second one stopped with its Stop button, against
     * a local OpenAI-compatible model server ({@link FakeModel}) that streams slowly enough to watch.
     */
    @Test
    void anAssistantAnswerGrowsInPlaceAndStopsWithTheStopButton() throws Exception {
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            NodeTests.requireTool(CHROMIUM, "--version");
        }
        try (FakeModel model = new FakeModel()) {
            model.then(FakeModel.answer(Duration.ofMillis(400), "Relay ", "streams ", "this ", "answer ", "word ",
                    "by ", "word."));
            model.then(FakeModel.endless(Duration.ofMillis(200), "and ", "on "));
            try (NodeTests node = NodeTests.start(Map.of("assistant_enabled", "true",
                    "assistant_base_url", model.baseUrl(), "assistant_model", "test-model",
                    "assistant_update_interval", "100ms"))) {
                await().until(() -> node.assistantOnline());
                node.run(Map.of("CHROMIUM", CHROMIUM,
                        "RELAY_SCREENSHOTS", Path.of("target/screenshots").toAbsolutePath().toString()),
                        "browser-assistant/");
                // The page shows "cancelled" when Relay answers; the model server sees the request go a moment later.
                await().untilAsserted(() -> assertThat(model.abandoned()).as("Stop ended the upstream request")
                        .isEqualTo(1));
            }
        }
    }
}
