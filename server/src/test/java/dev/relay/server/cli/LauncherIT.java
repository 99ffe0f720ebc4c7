package dev.relay.server.cli;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpRequest;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar, run the way ./wsserver runs it: a separate JVM with its own environment. */
class LauncherIT {
    private static final Path JAR = Path.of("target", "relay-server.jar");
    private static final String SECRET = "launcher-test-secret-at-least-32-bytes";

    @TempDir
    Path dir;

    record Result(int status, String out, String err) {
    }

    @Test
    void helpExplainsTheCommandsAndOptions() throws Exception {
        Result help = run(Map.of(), "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("--port", "--config", "--set", "token");
        Result tokenHelp = run(Map.of(), "token", "--help");
        assertThat(tokenHelp.out()).contains("--user", "--role", "--ttl", "--name");
    }

    @Test
    void tokenPrintsAJwtSignedWithTheConfiguredSecret() throws Exception {
        Result result = run(Map.of("WS_JWT_SECRET", SECRET), "token", "--user", "alice", "--name", "Alice",
                "--role", "admin", "--ttl", "2h");
        assertThat(result.status()).as(result.err()).isZero();
        SignedJWT jwt = SignedJWT.parse(result.out().strip());
        assertThat(jwt.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("alice");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("name")).isEqualTo("Alice");
        assertThat(jwt.getJWTClaimsSet().getStringListClaim("roles")).containsExactly("admin");
        long ttl = jwt.getJWTClaimsSet().getExpirationTime().getTime() - jwt.getJWTClaimsSet().getIssueTime().getTime();
        assertThat(ttl).isEqualTo(TimeUnit.HOURS.toMillis(2));
    }

    @Test
    void withoutASecretTheTokenCommandSignsWithTheSecretARunningServerKept() throws Exception {
        int port = freePort();
        // The same configuration for both, from the environment: the kept secret lives under this data_dir.
        Map<String, String> env = Map.of("WS_LOG_DIR", dir.resolve("logs").toString(),
                "WS_DATA_DIR", dir.resolve("state").toString());
        Process server = start(env, "--port", String.valueOf(port));
        try {
            Path kept = dir.resolve("state").resolve("jwt-secret");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(kept) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(kept).as("the server kept its generated secret").isRegularFile();
            String secret = Files.readString(kept).strip();

            Result bob = run(env, "token", "--user", "bob");
            assertThat(bob.status()).as(bob.err()).isZero();
            assertThat(bob.err()).as("says which secret it used").contains("jwt-secret");
            SignedJWT jwt = SignedJWT.parse(bob.out().strip());
            assertThat(jwt.verify(new MACVerifier(secret.getBytes(StandardCharsets.UTF_8)))).isTrue();
            assertServes(port, server, bob.out().strip(), "bob");
            assertThat(Files.readString(kept).strip()).as("the command did not replace the server's secret")
                    .isEqualTo(secret);
        } finally {
            stop(server);
        }
    }

    @Test
    void withoutASecretATokenMintedBeforeTheServerFirstStartsIsAccepted() throws Exception {
        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, "websocket:\n  data_dir: \"" + dir.resolve("state") + "\"\n"
                + "  log_dir: \"" + dir.resolve("logs") + "\"\n");
        Path kept = dir.resolve("state").resolve("jwt-secret");
        assertThat(kept).doesNotExist();

        Result alice = run(Map.of(), "token", "--config", config.toString(), "--user", "alice");
        assertThat(alice.status()).as(alice.err()).isZero();
        // Generated and kept exactly as the server would have: owner-only, in data_dir.
        assertThat(kept).isRegularFile();
        if (kept.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept))).isEqualTo("rw-------");
        }
        String secret = Files.readString(kept).strip();
        assertThat(SignedJWT.parse(alice.out().strip())
                .verify(new MACVerifier(secret.getBytes(StandardCharsets.UTF_8)))).isTrue();
        Result again = run(Map.of(), "token", "--config", config.toString(), "--user", "carol");
        assertThat(Files.readString(kept).strip()).as("a second token uses the same secret").isEqualTo(secret);
        assertThat(again.status()).isZero();

        int port = freePort();
        Process server = start(Map.of(), "--config", config.toString(), "--port", String.valueOf(port));
        try {
            assertServes(port, server, alice.out().strip(), "alice");
        } finally {
            stop(server);
        }
    }

    @Test
    void tokenWithoutASecretThatCannotKeepOneExplainsWhatToSet() throws Exception {
        Path notADirectory = dir.resolve("data");
        Files.writeString(notADirectory, "a file where data_dir should be\n");
        Result result = run(Map.of(), "token", "--user", "alice");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("jwt_secret", "WS_JWT_SECRET", "jwt-secret");
    }

    @Test
    void aBadValueStopsStartupWithOneLineNamingKeyValueAndSource() throws Exception {
        Result result = run(Map.of("WS_MAX_CONNECTIONS", "lots"));
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err().strip().lines()).hasSize(1);
        assertThat(result.err()).contains("max_connections", "lots", "WS_MAX_CONNECTIONS");
    }

    @Test
    void anUnknownKeyInTheFileStopsStartup() throws Exception {
        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, "websocket:\n  max_conections: 5\n");
        Result result = run(Map.of(), "--config", config.toString());
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("max_conections", "max_connections");
    }

    @Test
    void checkconfigPrintsEveryEffectiveValueWithItsSourceAndHidesSecrets() throws Exception {
        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, "websocket:\n  port: 9000\n  jwt_secret: \"" + SECRET + "\"\n");

        Result result = run(Map.of("WS_MAX_ROOMS", "7"), "checkconfig", config.toString(), "--set", "ping_period=20s");

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).containsPattern("(?m)^port +=  ?\"9000\"  \\(in .*relay.yaml, line 2\\)$")
                .containsPattern("(?m)^max_rooms +=  ?\"7\"  \\(from WS_MAX_ROOMS\\)$")
                .containsPattern("(?m)^ping_period +=  ?\"20s\"  \\(from command line\\)$")
                .containsPattern("(?m)^host +=  ?\"0.0.0.0\"  \\(default\\)$")
                .contains("<hidden, " + SECRET.length() + " bytes>")
                .doesNotContain(SECRET);
        Result changed = run(Map.of(), "checkconfig", config.toString(), "--changed");
        assertThat(changed.out().strip().lines()).hasSize(2);
    }

    @Test
    void checkconfigRefusesWhatTheServerWouldRefuse() throws Exception {
        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, "websocket:\n  max_connections: lots\n");

        Result result = run(Map.of(), "checkconfig", config.toString());

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("max_connections", "lots", "line 2");
    }

    @Test
    void defaultconfigPrintsAFileThatLoadsToTheDefaults() throws Exception {
        Result printed = run(Map.of(), "defaultconfig");
        assertThat(printed.status()).isZero();
        assertThat(printed.out()).startsWith("# Relay configuration").contains("websocket:\n")
                .contains("# Port to listen on").contains("env WS_PORT").contains("  port: \"8080\"");
        Path file = dir.resolve("defaults.yaml");
        Files.writeString(file, printed.out());

        Result fromFile = run(Map.of(), "checkconfig", file.toString());
        Result defaults = run(Map.of(), "checkconfig");

        assertThat(fromFile.status()).as(fromFile.err()).isZero();
        assertThat(valuesOnly(fromFile.out())).isEqualTo(valuesOnly(defaults.out()));
        assertThat(fromFile.out()).doesNotContain("(default)");
    }

    @Test
    void checktokenSaysWhomAnAcceptedTokenIdentifiesAndWhyOneIsRefused() throws Exception {
        Map<String, String> env = Map.of("WS_JWT_SECRET", SECRET);
        String token = run(env, "token", "--user", "alice", "--name", "Alice", "--role", "admin").out().strip();

        Result accepted = run(env, "checktoken", token);
        Result otherSecret = run(Map.of("WS_JWT_SECRET", SECRET + "-other"), "checktoken", token);
        Result garbage = run(env, "checktoken", "not.a.jwt");

        assertThat(accepted.status()).as(accepted.err()).isZero();
        assertThat(accepted.out()).contains("user_id: alice", "name:    Alice", "roles:   admin", "expires: ");
        assertThat(otherSecret.status()).isEqualTo(1);
        assertThat(otherSecret.err()).contains("refused", "signature");
        assertThat(garbage.status()).isEqualTo(1);
        assertThat(garbage.err()).contains("not a well-formed JWT");
    }

    private static List<String> valuesOnly(String checkconfigOutput) {
        return checkconfigOutput.lines().map(line -> line.replaceAll("  \\([^)]*\\)$", "")).toList();
    }

    @Test
    void sighupReloadsTheFileAndTheServerKeepsServing() throws Exception {
        int port = freePort();
        Path logs = dir.resolve("logs");
        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, "websocket:\n  jwt_secret: \"" + SECRET + "\"\n  rate_limit_per_minute: 1000\n"
                + "  log_dir: \"" + logs + "\"\n");
        Process server = start(Map.of(), "--config", config.toString(), "--port", String.valueOf(port));
        try {
            assertServes(port, server);
            Files.writeString(config, "websocket:\n  jwt_secret: \"" + SECRET + "\"\n  rate_limit_per_minute: 50\n"
                    + "  max_rooms: 7\n  log_dir: \"" + logs + "\"\n");

            Process hup = new ProcessBuilder("kill", "-HUP", String.valueOf(server.pid())).start();
            assertThat(hup.waitFor(10, TimeUnit.SECONDS) && hup.exitValue() == 0).isTrue();

            Path log = logs.resolve("websocket.log");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.readString(log).contains("event=config_reloaded") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(log)).contains(
                    "event=config_reloaded applied=[rate_limit_per_minute] restart_required=[max_rooms]");
            assertThat(server.isAlive()).as("SIGHUP does not stop the JVM").isTrue();
            assertServes(port, server);
        } finally {
            stop(server);
        }
    }

    @Test
    void environmentOverridesTheFileAndTheCommandLineOverridesBoth() throws Exception {
        int filePort = freePort();
        int envPort = freePort();
        int cliPort = freePort();
        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, "websocket:\n  port: " + filePort + "\n  jwt_secret: \"" + SECRET + "\"\n"
                + "  log_dir: \"" + dir.resolve("logs") + "\"\n");

        Process fromEnv = start(Map.of("WS_PORT", String.valueOf(envPort)), "--config", config.toString());
        try {
            assertServes(envPort, fromEnv);
        } finally {
            stop(fromEnv);
        }
        assertThat(Files.readString(dir.resolve("logs").resolve("websocket.log"))).contains("event=started");

        Process fromCli = start(Map.of("WS_PORT", String.valueOf(envPort)), "--config", config.toString(),
                "--port", String.valueOf(cliPort));
        try {
            assertServes(cliPort, fromCli);
        } finally {
            stop(fromCli);
        }
    }

    @Test
    void withoutASecretTheServerGeneratesOneAndLogsAWorkingAdminToken() throws Exception {
        int port = freePort();
        Process server = start(Map.of("WS_LOG_DIR", dir.resolve("logs").toString()), "--port", String.valueOf(port));
        String token = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Path log = dir.resolve("logs").resolve("websocket.log");
            while (token == null && System.nanoTime() < deadline) {
                if (Files.exists(log)) {
                    token = Files.readString(log).lines().filter(l -> l.contains("event=admin_token"))
                            .map(l -> l.substring(l.indexOf("token=") + 6).strip()).findFirst().orElse(null);
                }
                Thread.sleep(100);
            }
            assertThat(token).as("admin token in the log").isNotNull();
            try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws/connect?token=" + token))) {
                assertThat(client.expectType("welcome").path("data").path("user_id").asText()).isEqualTo("admin");
            }
            // Bound to every interface, the server names the page's host localhost.
            String page = "http://127.0.0.1:" + port + "/?token=" + token;
            assertThat(Files.readString(log)).as("the chat page's link, signed in with the admin token")
                    .contains("event=web_url url=http://localhost:" + port + "/?token=" + token);
            try (HttpClient http = HttpClient.newHttpClient()) {
                assertThat(http.send(HttpRequest.newBuilder(URI.create(page)).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).contains("/ws/client.js");
            }
        } finally {
            stop(server);
        }
        // The generated secret is kept under data_dir (owner-only), so the page's token survives a restart.
        Path kept = dir.resolve("data").resolve("jwt-secret");
        assertThat(kept).isRegularFile();
        if (kept.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept))).isEqualTo("rw-------");
        }
        server = start(Map.of("WS_LOG_DIR", dir.resolve("logs").toString()), "--port", String.valueOf(port));
        try {
            assertServes(port, server, token, "admin");
        } finally {
            stop(server);
        }
    }

    @Test
    void logFilesAsAnOperatorGrepsThem() throws Exception {
        int port = freePort();
        Path logs = dir.resolve("logs");
        Process server = start(Map.of("WS_JWT_SECRET", SECRET, "WS_LOG_DIR", logs.toString(), "WS_LOG_FORMAT", "json",
                "WS_STATISTICS_INTERVAL", "100ms"), "--port", String.valueOf(port));
        Path log = logs.resolve("websocket.log");
        try {
            assertServes(port, server);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(Files.exists(log) && Files.readString(log).contains("PERFORMANCE connections="))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            stop(server);
        }

        List<String> lines = Files.readAllLines(log);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            com.fasterxml.jackson.databind.JsonNode object = json.readTree(line);
            assertThat(object.isObject()).as("a JSON object per line: " + line).isTrue();
            assertThat(object.path("@timestamp").isTextual() && object.path("log.level").isTextual()
                    && object.path("message").isTextual()).as("ECS base fields: " + line).isTrue();
            events.add(object);
        }
        assertThat(lines).as("grep PERFORMANCE still works").anyMatch(line -> line.contains("PERFORMANCE connections="));
        assertThat(events).anyMatch(e -> e.path("event.action").asText().equals("started")
                && e.path("url.full").asText().startsWith("ws://"));
        assertThat(events).as("each field of a connection is a field of its own").anyMatch(e ->
                e.path("event.action").asText().equals("connected") && e.path("user.id").asText().equals("probe")
                        && !e.path("relay.client_id").asText().isEmpty() && !e.path("client.address").asText().isEmpty());
        assertThat(events).anyMatch(e -> e.path("relay.connections").isNumber());
        assertThat(Files.readString(logs.resolve("audit.log"))).contains("\"user_id\":\"probe\"", "\"event\":\"connect\"");
    }

    private void assertServes(int port, Process process) throws Exception {
        assertServes(port, process, run(Map.of("WS_JWT_SECRET", SECRET), "token", "--user", "probe").out().strip(),
                "probe");
    }

    private void assertServes(int port, Process process, String token, String user) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            assertThat(process.isAlive()).as("server process is running").isTrue();
            try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws/connect?token=" + token))) {
                assertThat(client.expectType("welcome").path("data").path("user_id").asText()).isEqualTo(user);
                return;
            } catch (RuntimeException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(100);
            }
        }
    }

    private Process start(Map<String, String> env, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(args)).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("server-" + System.nanoTime() + ".out").toFile());
        clean(builder.environment()).putAll(env);
        return builder.start();
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy(); // SIGTERM: the graceful shutdown path
        assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("server stopped on SIGTERM").isTrue();
        assertThat(process.exitValue()).as("exit status after a graceful stop").isZero();
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command(args)).directory(dir.toFile());
        clean(builder.environment()).putAll(env);
        Path out = dir.resolve("out-" + System.nanoTime());
        Path err = dir.resolve("err-" + System.nanoTime());
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean finished = process.waitFor(30, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        assertThat(finished).as("command finished").isTrue();
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Map<String, String> clean(Map<String, String> environment) {
        environment.keySet().removeIf(name -> name.startsWith("WS_"));
        return environment;
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(List.of(args));
        return command;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
