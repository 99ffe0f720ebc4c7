package dev.relay.server.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs the Node test files under {@code src/test/js} ({@code node --test}) against a real Relay server, and lets
 * them restart that server on the same port through a small control endpoint
 * ({@code POST $RELAY_CONTROL/restart}, or {@code /stop} then {@code /start}), so the client's recovery after a
 * restart is tested for real.
 *
 * <p>Without {@code node} or {@code npm} the test is skipped with the reason; with
 * {@code WS_TEST_REQUIRE_SERVICES=true} (CI) it fails instead.
 */
final class NodeTests implements AutoCloseable {
    static final Path JS = Path.of("src/test/js").toAbsolutePath();
    private static final long TIMEOUT_MINUTES = 8;
    /** The closing count of the spec reporter ("ℹ pass 16") or TAP ("# pass 16"), more than none. */
    private static final Pattern RAN_TESTS = Pattern.compile("(?m)^(ℹ|#) pass [1-9]");

    private final Map<String, String> config;
    private volatile TestServer server;
    private final int port;
    private final HttpServer control;

    private NodeTests(Map<String, String> config) throws IOException {
        this.config = config;
        this.server = TestServer.start(config);
        this.port = server.port();
        this.control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        control.createContext("/restart", exchange -> answer(exchange, this::restart));
        control.createContext("/stop", exchange -> answer(exchange, this::stop));
        control.createContext("/start", exchange -> answer(exchange, this::startAgain));
        control.start();
    }

    /** Whether the server's assistant (when enabled) found its model server and is online. */
    synchronized boolean assistantOnline() {
        return server != null && server.service().assistant().map(a -> a.online()).orElse(false);
    }

    /** Starts the server with {@code config} (configuration keys), after checking that Node can run. */
    static NodeTests start(Map<String, String> config) throws IOException {
        requireTool("node", "--version");
        requireTool("npm", "--version");
        return new NodeTests(config);
    }

    /** Skips, or in CI fails, when a command is missing. */
    static void requireTool(String... command) {
        String missing = null;
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                missing = command[0] + " does not run";
            }
        } catch (IOException e) {
            missing = command[0] + " is not installed";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (missing == null) {
            return;
        }
        if (Boolean.parseBoolean(System.getenv("WS_TEST_REQUIRE_SERVICES"))) {
            Assertions.fail(missing + ", and WS_TEST_REQUIRE_SERVICES=true requires it");
        }
        Assumptions.abort(missing + "; skipped (WS_TEST_REQUIRE_SERVICES=true makes this a failure)");
    }

    private static void answer(HttpExchange exchange, Runnable action) throws IOException {
        try (exchange) {
            action.run();
            exchange.sendResponseHeaders(204, -1);
        } catch (RuntimeException e) {
            byte[] body = String.valueOf(e).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private synchronized void restart() {
        stop();
        startAgain();
    }

    private synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Starts the server again on the same port: a new epoch, since history lives in memory. */
    private synchronized void startAgain() {
        if (server == null) {
            Map<String, String> samePort = new HashMap<>(config);
            samePort.put("port", String.valueOf(port));
            server = TestServer.start(samePort);
        }
    }

    /**
     * Installs the locked npm packages when they changed, then runs {@code node --test} on {@code paths} (relative
     * to src/test/js) and fails with Node's output unless every test passed.
     */
    void run(Map<String, String> extraEnvironment, String... paths) throws IOException, InterruptedException {
        installPackages();
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-concurrency=1", "--test-timeout=120000",
                "--test-reporter=spec"));
        command.addAll(List.of(paths));
        ProcessBuilder builder = new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true);
        boolean tls = config.containsKey("tls_cert_file");
        builder.environment().put("RELAY_HTTP", (tls ? "https" : "http") + "://127.0.0.1:" + port);
        builder.environment().put("RELAY_WS", (tls ? "wss" : "ws") + "://127.0.0.1:" + port + "/ws/connect");
        builder.environment().put("RELAY_JWT_SECRET", TestServer.SECRET);
        builder.environment().put("RELAY_CONTROL", "http://127.0.0.1:" + control.getAddress().getPort());
        builder.environment().putAll(extraEnvironment);
        Path output = Path.of("target", "node-" + String.join("-", paths).replaceAll("[^A-Za-z0-9]+", "_") + ".log");
        Files.createDirectories(output.getParent());
        Process process = builder.redirectOutput(output.toFile()).start();
        boolean finished = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String log = Files.readString(output);
        System.out.println(log);
        Assertions.assertTrue(finished, "node --test did not finish in " + TIMEOUT_MINUTES + " minutes:\n" + log);
        Assertions.assertEquals(0, process.exitValue(), "node --test failed:\n" + log);
        Assertions.assertTrue(RAN_TESTS.matcher(log).find(), "node ran no test:\n" + log);
    }

    private static void installPackages() throws IOException, InterruptedException {
        Path lock = JS.resolve("package-lock.json");
        Path installed = JS.resolve("node_modules/.package-lock.json");
        if (Files.exists(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(JS.toFile())
                .redirectErrorStream(true).start();
        String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            Assertions.fail("npm ci failed in " + JS + ":\n" + out);
        }
        Files.setLastModifiedTime(installed, FileTime.fromMillis(System.currentTimeMillis()));
    }

    @Override
    public void close() {
        control.stop(0);
        stop();
    }
}
