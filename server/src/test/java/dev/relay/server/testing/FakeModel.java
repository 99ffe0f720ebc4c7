package dev.relay.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible model server for tests, on the JDK's HTTP server: {@code GET /v1/models} and
 * {@code POST /v1/chat/completions} with {@code stream: true}, answered as the API does on the wire: server-sent
 * events, one {@code data: {chat.completion.chunk}} line and a blank line per piece, a last chunk with
 * {@code finish_reason: "stop"}, then {@code data: [DONE]}; errors as {@code {"error":{"message",...}}} bodies.
 * Each completion request takes the next {@link Script} queued (or the default one); every request's JSON is kept.
 */
public final class FakeModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How one completion request is answered. */
    public sealed interface Script permits Stream, Failure {
    }

    /**
     * The pieces of text, one chunk each, {@code gap} apart; {@code complete} ends with the stop chunk and
     * {@code [DONE]}, otherwise the connection is cut after the pieces. {@code endless} repeats the last piece every
     * {@code gap} until the client goes away.
     */
    public record Stream(List<String> pieces, Duration gap, boolean complete, boolean endless) implements Script {
    }

    /** An error status with the body the API sends. */
    public record Failure(int status, String body) implements Script {
    }

    public static Stream answer(Duration gap, String... pieces) {
        return new Stream(List.of(pieces), gap, true, false);
    }

    public static Stream broken(String... pieces) {
        return new Stream(List.of(pieces), Duration.ZERO, false, false);
    }

    public static Stream endless(Duration gap, String... pieces) {
        return new Stream(List.of(pieces), gap, false, true);
    }

    public static Failure failure(int status, String message) {
        return new Failure(status, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"server_error\","
                + "\"param\":null,\"code\":null}}");
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final ConcurrentLinkedQueue<Script> scripts = new ConcurrentLinkedQueue<>();
    private volatile Script fallback = answer(Duration.ZERO, "Hello", " there");
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** Streams whose client went away before the end (a write failed). */
    private final AtomicInteger abandoned = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicBoolean modelsDown = new AtomicBoolean();

    public FakeModel() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/v1/models", this::models);
        server.createContext("/v1/chat/completions", this::completions);
        server.start();
    }

    /** The base URL to configure: {@code http://127.0.0.1:port/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public void then(Script script) {
        scripts.add(script);
    }

    public void always(Script script) {
        fallback = script;
    }

    /** Makes {@code GET /models} answer 503, as a server that is down for the probe. */
    public void modelsDown(boolean down) {
        modelsDown.set(down);
    }

    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    public int abandoned() {
        return abandoned.get();
    }

    public int finished() {
        return finished.get();
    }

    private void models(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        if (modelsDown.get()) {
            respond(exchange, 503, "{\"error\":{\"message\":\"loading\"}}");
            return;
        }
        respond(exchange, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"test-model\",\"object\":\"model\"}]}");
    }

    private void completions(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        requests.add(request);
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        Script script = scripts.poll();
        if (script == null) {
            script = fallback;
        }
        switch (script) {
            case Failure failure -> respond(exchange, failure.status(), failure.body());
            case Stream stream -> stream(exchange, stream, request.path("model").asText());
        }
    }

    private void stream(HttpExchange exchange, Stream stream, String model) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        try {
            event(out, chunk(model, "{\"role\":\"assistant\",\"content\":\"\"}", null));
            for (String piece : stream.pieces()) {
                pause(stream.gap());
                event(out, chunk(model, delta(piece), null));
            }
            while (stream.endless()) {
                pause(stream.gap());
                event(out, chunk(model, delta(stream.pieces().getLast()), null));
            }
            if (stream.complete()) {
                event(out, chunk(model, "{}", "stop"));
                event(out, "[DONE]");
                finished.incrementAndGet();
            }
        } catch (IOException clientGone) {
            abandoned.incrementAndGet();
        } finally {
            exchange.close(); // without [DONE], the client sees the stream break off here
        }
    }

    private static String delta(String piece) {
        ObjectNode delta = JSON.createObjectNode().put("content", piece);
        return delta.toString();
    }

    private static String chunk(String model, String delta, String finishReason) {
        return "{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion.chunk\",\"created\":1733600000,\"model\":\""
                + model + "\",\"system_fingerprint\":\"fp_test\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"logprobs\":null,\"finish_reason\":" + (finishReason == null ? "null" : "\"" + finishReason + "\"")
                + "}]}";
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void pause(Duration gap) throws IOException {
        if (gap.isZero()) {
            return;
        }
        try {
            Thread.sleep(gap); // the model "thinking": the pace of the stream under test, not a test's wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("stopped");
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
