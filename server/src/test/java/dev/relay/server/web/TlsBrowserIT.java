package dev.relay.server.web;

import dev.relay.server.testing.TestCertificates;
import dev.relay.server.testing.TestCertificates.Issued;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The web page over https:// and wss:// in headless Chromium ({@code src/test/js/browser-tls}), with the server's
 * own TLS and a certificate from a CA the test makes; Chromium is told to trust that certificate's key and no other.
 * Skipped without Chromium, failed in CI ({@code WS_TEST_REQUIRE_SERVICES=true}).
 */
class TlsBrowserIT {
    private static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");

    @TempDir
    Path dir;

    @Test
    void twoPagesChatOverWss() throws Exception {
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            NodeTests.requireTool(CHROMIUM, "--version"); // skips, or fails in CI, with the reason
        }
        Issued ca = TestCertificates.authority("Relay Browser Test CA");
        Issued server = TestCertificates.server(ca, "EC");
        server.writeChain(dir.resolve("tls.crt"));
        server.writeKey(dir.resolve("tls.key"));
        try (NodeTests node = NodeTests.start(Map.of("tls_cert_file", dir.resolve("tls.crt").toString(),
                "tls_key_file", dir.resolve("tls.key").toString()))) {
            node.run(Map.of("CHROMIUM", CHROMIUM, "RELAY_SPKI", server.spkiHash()), "browser-tls/");
        }
    }
}
