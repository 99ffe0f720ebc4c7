package dev.relay.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client (the JDK's) that queues what it receives, for tests to take in order. */
public final class WsClient implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Text messages as JSON, binary messages as {@link ByteBuffer}. */
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private WebSocket socket;

    public record Closed(int code, String reason) {
    }

    private WsClient() {
    }

    public static WsClient connect(URI uri) {
        return connect(uri, Map.of());
    }

    public static WsClient connect(URI uri, Map<String, String> headers) {
        WsClient client = new WsClient();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(builder::header);
        client.socket = builder.buildAsync(uri, client.new Listener()).orTimeout(5, TimeUnit.SECONDS).join();
        return client;
    }

    /** Tries to connect and returns the failure (for handshake refusals). */
    public static Throwable connectFailure(URI uri, Map<String, String> headers) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(builder::header);
        try {
            WebSocket ws = builder.buildAsync(uri, new WebSocket.Listener() {
            }).orTimeout(5, TimeUnit.SECONDS).join();
            ws.abort();
            return null;
        } catch (RuntimeException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final List<ByteBuffer> binary = new ArrayList<>();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    received.add(JSON.readTree(text.toString()));
                } catch (Exception e) {
                    received.add(new IllegalStateException("server sent invalid JSON: " + text, e));
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining());
            copy.put(data).flip();
            binary.add(copy);
            if (last) {
                int size = binary.stream().mapToInt(ByteBuffer::remaining).sum();
                ByteBuffer whole = ByteBuffer.allocate(size);
                binary.forEach(whole::put);
                whole.flip();
                received.add(whole);
                binary.clear();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }

    public WsClient send(String json) {
        socket.sendText(json, true).orTimeout(5, TimeUnit.SECONDS).join();
        return this;
    }

    public WsClient send(Map<String, ?> message) {
        try {
            return send(JSON.writeValueAsString(message));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    public WsClient sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(5, TimeUnit.SECONDS).join();
        return this;
    }

    /** The next text message, failing after {@link #TIMEOUT}. */
    public JsonNode next() {
        Object message = take();
        if (message instanceof JsonNode json) {
            return json;
        }
        throw new AssertionError("expected a text message, got " + message);
    }

    /** The next binary message. */
    public byte[] nextBinary() {
        Object message = take();
        if (message instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
        throw new AssertionError("expected a binary message, got " + message);
    }

    /** The next message, which must have the given type. */
    public JsonNode expectType(String type) {
        JsonNode message = next();
        if (!type.equals(message.path("type").asText())) {
            throw new AssertionError("expected a '" + type + "' message, got " + message);
        }
        return message;
    }

    /**
     * The next message that is not a presence event, which must have the given type. For tests in a shared room,
     * where other tests' clients come and go at any time; anything else arriving first still fails.
     */
    public JsonNode expectTypeIgnoringPresence(String type) {
        JsonNode message = next();
        while (PRESENCE_EVENTS.contains(message.path("type").asText())) {
            message = next();
        }
        if (!type.equals(message.path("type").asText())) {
            throw new AssertionError("expected a '" + type + "' message, got " + message);
        }
        return message;
    }

    private static final java.util.Set<String> PRESENCE_EVENTS = java.util.Set.of("user_joined", "user_left",
            "presence");

    /** Skips messages until one of the given type arrives. */
    public JsonNode awaitType(String type) {
        return await(message -> type.equals(message.path("type").asText()), "a '" + type + "' message");
    }

    /** Skips messages until one of the given type about the given room arrives. */
    public JsonNode awaitType(String type, String roomId) {
        return await(message -> type.equals(message.path("type").asText())
                && roomId.equals(message.path("room_id").asText()), "a '" + type + "' message in " + roomId);
    }

    /** Skips text messages until one matches. */
    public JsonNode await(java.util.function.Predicate<JsonNode> wanted, String description) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode message = next();
            if (wanted.test(message)) {
                return message;
            }
        }
        throw new AssertionError("no " + description + " within " + TIMEOUT);
    }

    /** What a resuming connection received up to its {@code resumed} answer. */
    public record Resumption(List<String> replayed, JsonNode resumed) {
        public boolean recovered() {
            return resumed.path("data").path("recovered").asBoolean();
        }
    }

    /** Reads until {@code resumed}, keeping the contents of the room messages replayed before it, in order. */
    public Resumption awaitResumed() {
        List<String> replayed = new ArrayList<>();
        while (true) {
            JsonNode message = next();
            switch (message.path("type").asText()) {
                case "room_message" -> replayed.add(message.path("content").asText());
                case "resumed" -> {
                    return new Resumption(replayed, message);
                }
                default -> {
                }
            }
        }
    }

    /**
     * Asserts nothing else is pending: sends a ping and expects the pong as the very next message. Frames already
     * queued for this connection on the server go out before the pong, so a stray message shows up first.
     */
    public void expectNothingPending() {
        send(Map.of("type", "ping", "id", "barrier"));
        JsonNode next = next();
        if (!"pong".equals(next.path("type").asText())) {
            throw new AssertionError("expected nothing more, got " + next);
        }
    }

    /**
     * Like {@link #expectNothingPending()}, tolerating events of the given types (presence traffic that may or may
     * not have reached this client yet): anything else before the pong fails.
     */
    public void expectNothingPendingExcept(String... tolerated) {
        send(Map.of("type", "ping", "id", "barrier"));
        java.util.Set<String> ok = java.util.Set.of(tolerated);
        while (true) {
            JsonNode next = next();
            String type = next.path("type").asText();
            if ("pong".equals(type)) {
                return;
            }
            if (!ok.contains(type)) {
                throw new AssertionError("expected nothing more, got " + next);
            }
        }
    }

    /** Messages that arrive within {@code window}, in order (for asserting on what did or did not come). */
    public List<Object> drain(Duration window) {
        List<Object> messages = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Object message = left <= 0 ? received.poll() : received.poll(left, TimeUnit.NANOSECONDS);
                if (message == null) {
                    return messages;
                }
                messages.add(message);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return messages;
        }
    }

    public Closed awaitClose() {
        return closed.orTimeout(TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    private Object take() {
        try {
            Object message = received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError("no message within " + TIMEOUT
                        + (closed.isDone() ? "; the connection closed: " + closed.getNow(null) : ""));
            }
            if (message instanceof Exception e) {
                throw new AssertionError(e.getMessage(), e);
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(e -> null).join();
        }
        socket.abort();
    }
}
