package dev.relay.server.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code clients/js} packs into the npm package it says it is: exactly the client the server serves, its types, an
 * ES module entry point with {@code exports}, Relay's version, and importable by name once installed. Skipped
 * without Node and npm, failed in CI.
 */
class JsPackageIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path PACKAGE = ROOT.resolve("clients/js");
    private static final Path SERVED = ROOT.resolve("server/src/main/resources/web");

    @TempDir
    Path dir;

    @Test
    void npmPackShipsTheServedClientUnderRelaysVersion() throws Exception {
        NodeTests.requireTool("npm", "--version");

        String packed = run(PACKAGE, "npm", "pack", "--pack-destination", dir.toString()).strip();
        Path tarball = dir.resolve(packed.lines().reduce((first, last) -> last).orElseThrow());
        run(dir, "tar", "-xzf", tarball.toString());

        Path unpacked = dir.resolve("package");
        assertThat(unpacked.resolve("client.js")).hasSameBinaryContentAs(SERVED.resolve("client.js"));
        assertThat(unpacked.resolve("client.d.ts")).hasSameBinaryContentAs(SERVED.resolve("client.d.ts"));
        try (var files = Files.list(unpacked)) {
            assertThat(files.map(file -> file.getFileName().toString()).sorted().toList())
                    .containsExactly("README.md", "client.d.ts", "client.js", "package.json");
        }
        String manifest = Files.readString(unpacked.resolve("package.json"));
        assertThat(manifest).contains("\"version\": \"" + relayVersion() + "\"", "\"type\": \"module\"",
                "\"types\": \"./client.d.ts\"");

        Path app = Files.createDirectories(dir.resolve("app"));
        Files.writeString(app.resolve("package.json"), "{\"name\":\"app\",\"private\":true,\"type\":\"module\"}");
        run(app, "npm", "install", "--no-audit", "--no-fund", "--offline", tarball.toString());
        String imported = run(app, "node", "--input-type=module", "-e",
                "import { RelayClient, RelayError } from 'relay-websocket-client';"
                        + "import Default from 'relay-websocket-client';"
                        + "console.log(typeof RelayClient, typeof RelayError, Default === RelayClient);");
        assertThat(imported.strip()).isEqualTo("function function true");
    }

    /** The Maven version without -SNAPSHOT: one version for everything. */
    private static String relayVersion() throws IOException {
        Matcher version = Pattern.compile("<artifactId>relay-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(version.find()).isTrue();
        return version.group(1).replace("-SNAPSHOT", "");
    }

    private static String run(Path where, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).directory(where.toFile()).redirectErrorStream(false)
                .start();
        String out = new String(process.getInputStream().readAllBytes());
        String err = new String(process.getErrorStream().readAllBytes());
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + err + out).isZero();
        return out;
    }
}
