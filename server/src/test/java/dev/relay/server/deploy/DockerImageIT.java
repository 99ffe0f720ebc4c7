package dev.relay.server.deploy;

import com.nimbusds.jose.JWSAlgorithm;
import dev.relay.server.testing.Tokens;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.relay.server.deploy.DeployFiles.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Builds the Dockerfile's image and runs it as a user would: healthy, not root, a WebSocket client gets its welcome,
 * and {@code docker stop} (SIGTERM) reaches the JVM, which shuts down gracefully. Runs only where a container engine
 * answers ({@code docker} or {@code podman}); skipped with that reason elsewhere, such as on these build machines.
 */
class DockerImageIT {
    private static final String SECRET = "a-jwt-secret-of-at-least-thirty-two-bytes";
    private static final String IMAGE = "relay-image-test:latest";

    @Test
    void theImageServesAsANonRootUserAndStopsGracefully() throws Exception {
        String engine = containerEngine();
        assumeTrue(engine != null, "no container engine answers (docker info / podman info failed)");
        run(Duration.ofMinutes(20), engine, "build", "-t", IMAGE, ROOT.toString());
        String container = run(Duration.ofMinutes(1), engine, "run", "-d", "-p", "127.0.0.1::8080",
                "-e", "WS_JWT_SECRET=" + SECRET, IMAGE).strip();
        try {
            String mapped = run(Duration.ofSeconds(30), engine, "port", container, "8080/tcp").strip().lines()
                    .findFirst().orElseThrow();
            int port = Integer.parseInt(mapped.substring(mapped.lastIndexOf(':') + 1));
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

            assertThat(run(Duration.ofSeconds(30), engine, "exec", container, "id", "-u").strip()).isEqualTo("10001");
            String token = Tokens.signHmac(SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256,
                    Tokens.claims("alice"));
            try (WsClient alice = WsClient.connect(URI.create("ws://127.0.0.1:" + port
                    + "/ws/connect?room_id=general&token=" + token))) {
                assertThat(alice.awaitType("welcome").path("data").path("user_id").asText()).isEqualTo("alice");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> run(Duration.ofSeconds(30), engine, "inspect",
                    "--format", "{{.State.Health.Status}}", container).strip().equals("healthy"));

            run(Duration.ofSeconds(60), engine, "stop", "-t", "30", container);
            String logs = run(Duration.ofSeconds(30), engine, "logs", container);
            assertThat(logs).as("SIGTERM reached the JVM and its shutdown ran").contains("event=shutting_down").contains("event=stopped");
        } finally {
            run(Duration.ofSeconds(60), engine, "rm", "-f", container);
        }
    }

    private static String containerEngine() {
        for (String engine : List.of("docker", "podman")) {
            try {
                run(Duration.ofSeconds(20), engine, "info");
                return engine;
            } catch (IOException | IllegalStateException e) {
                // not installed, or no daemon behind it: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static String run(Duration timeout, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeout);
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + text);
        }
        return text;
    }
}
