package dev.relay.dist;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tarball as an operator gets it: unpacked on this machine and started with no JAVA_HOME and no java on the
 * PATH, it serves a WebSocket client with a token its own {@code bin/relay token} signed, keeps messages in SQLite
 * (JDBC and the native library from the trimmed runtime), and stops cleanly on SIGTERM.
 */
class DistributionIT {
    private static final String SECRET = "distribution-test-secret-of-32-bytes-or-more";

    @TempDir
    Path dir;

    @Test
    void theUnpackedDistributionServesWithItsOwnRuntimeAndStopsOnSigterm() throws Exception {
        Path tarball = Path.of(System.getProperty("relay.tarball"));
        assertThat(tarball).isRegularFile();
        assertThat(run(List.of("tar", "-xzf", tarball.toString(), "-C", dir.toString()), Map.of()).status).isZero();
        Path home;
        try (var unpacked = Files.list(dir)) {
            home = unpacked.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertThat(home.resolve("bin/relay")).isExecutable();
        assertThat(home.resolve("systemd/relay.service")).content().contains("ExecStart=/opt/relay/bin/relay",
                "LimitNOFILE=", "Restart=on-failure", "User=relay", "/health/ready", "ExecReload=/bin/kill -HUP $MAINPID");
        assertThat(home.resolve("conf/relay.yaml")).content().contains("websocket:", "  port: \"8080\"");

        Map<String, String> env = Map.of("WS_JWT_SECRET", SECRET, "PATH", "/usr/bin:/bin");
        Result check = run(List.of(home.resolve("bin/relay").toString(), "checkconfig",
                home.resolve("conf/relay.yaml").toString()), env);
        assertThat(check.status).as(check.output).isZero();
        Result token = run(List.of(home.resolve("bin/relay").toString(), "token", "--user", "alice"), env);
        assertThat(token.status).as(token.output).isZero();

        int port = freePort();
        ProcessBuilder serve = new ProcessBuilder(home.resolve("bin/relay").toString(), "--port", String.valueOf(port),
                "--set", "enable_message_persistence=true")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile());
        serve.environment().clear();
        serve.environment().putAll(env);
        Process server = serve.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            withoutJava(server);

            CompletableFuture<String> welcome = new CompletableFuture<>();
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port
                    + "/ws/connect?room_id=general&token=" + token.output.strip()), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    welcome.complete(data.toString());
                    return null;
                }
            }).join();
            assertThat(welcome.get(10, TimeUnit.SECONDS)).contains("\"type\":\"welcome\"", "\"user_id\":\"alice\"");
            socket.abort();
            assertThat(dir.resolve("data/relay.db")).as("SQLite works from the trimmed runtime").isRegularFile();
        } finally {
            server.destroy(); // SIGTERM
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
        }
        assertThat(server.exitValue()).as(Files.readString(dir.resolve("server.out"))).isZero();
        assertThat(Files.readString(dir.resolve("server.out"))).contains("event=started", "event=stopped");
    }

    /** The server runs on the distribution's runtime (bin/relay exec'd it), not on a JDK found by chance. */
    private static void withoutJava(Process server) {
        String command = server.info().command().orElse("");
        assertThat(command).as("the JVM the launcher started").contains("/runtime/bin/java");
    }

    private record Result(int status, String output) {
    }

    /** Runs with exactly {@code env}: no JAVA_HOME, and a PATH with no JDK on it. */
    private Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
