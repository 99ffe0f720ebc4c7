package dev.relay.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** {@link Connector} on {@code java.net.http.WebSocket}. */
final class JdkConnector implements Connector {
    /** How long a polite close may wait for the server's close frame before the socket is dropped. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final HttpClient http;
    private final boolean ownsHttp;
    private final Duration connectTimeout;

    /** With {@code http} null, a client of its own, shut down with the connector. */
    JdkConnector(HttpClient http, Duration connectTimeout) {
        this.ownsHttp = http == null;
        this.http = ownsHttp ? HttpClient.newHttpClient() : http;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public void shutdown() {
        if (ownsHttp) {
            // After the polite close has had its chance: shutting down at once would cut the close frame off.
            CompletableFuture.delayedExecutor(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS).execute(http::shutdownNow);
        }
    }

    @Override
    public CompletableFuture<Void> open(URI uri, Map<String, String> headers, Events events) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        headers.forEach(builder::header);
        return builder.buildAsync(uri, new Adapter(events))
                .orTimeout(connectTimeout.toMillis() * 2, TimeUnit.MILLISECONDS)
                .<Void>handle((socket, error) -> {
                    if (error != null) {
                        throw new CompletionException(refusal(error));
                    }
                    return null;
                });
    }

    private static Throwable refusal(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof WebSocketHandshakeException handshake) {
            HttpResponse<?> response = handshake.getResponse();
            Duration retryAfter = response.headers().firstValue("Retry-After").map(JdkConnector::seconds)
                    .orElse(Duration.ZERO);
            Object body = response.body();
            return new HandshakeRefused(response.statusCode(), retryAfter, body == null ? "" : body.toString());
        }
        return cause;
    }

    private static Duration seconds(String value) {
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Duration.ZERO; // an HTTP date: rare enough that the backoff alone will do
        }
    }

    /** Reassembles fragmented messages and asks for one message at a time. */
    private static final class Adapter implements WebSocket.Listener {
        private final Events events;
        private final StringBuilder text = new StringBuilder();
        private ByteBuffer binary = ByteBuffer.allocate(0);

        Adapter(Events events) {
            this.events = events;
        }

        @Override
        public void onOpen(WebSocket socket) {
            events.onOpen(new JdkLink(socket));
            socket.request(WINDOW);
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String whole = text.toString();
                text.setLength(0);
                events.onText(whole).whenComplete((ignored, error) -> socket.request(1));
            } else {
                socket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            ByteBuffer joined = ByteBuffer.allocate(binary.remaining() + data.remaining());
            joined.put(binary).put(data).flip();
            binary = joined;
            if (last) {
                ByteBuffer whole = binary;
                binary = ByteBuffer.allocate(0);
                events.onBinary(whole.asReadOnlyBuffer()).whenComplete((ignored, error) -> socket.request(1));
            } else {
                socket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            events.onClosed(statusCode, reason);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            events.onFailure(error);
        }
    }

    /** The JDK refuses a send while the previous one is unfinished, so sends are chained. */
    private static final class JdkLink implements Link {
        private final WebSocket socket;
        private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

        JdkLink(WebSocket socket) {
            this.socket = socket;
        }

        @Override
        public synchronized CompletableFuture<Void> sendText(String text) {
            return chain(() -> socket.sendText(text, true));
        }

        @Override
        public synchronized CompletableFuture<Void> sendBinary(ByteBuffer bytes) {
            return chain(() -> socket.sendBinary(bytes, true));
        }

        private CompletableFuture<Void> chain(java.util.function.Supplier<CompletableFuture<WebSocket>> send) {
            CompletableFuture<Void> next = last.handle((ignored, error) -> null)
                    .thenCompose(ignored -> send.get())
                    .thenApply(ignored -> null);
            last = next;
            return next;
        }

        @Override
        public void abort() {
            socket.abort();
        }

        @Override
        public synchronized void close(int code, String reason) {
            last.handle((ignored, error) -> null)
                    .thenCompose(ignored -> socket.sendClose(code, reason))
                    .orTimeout(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((ignored, error) -> {
                        if (error != null) {
                            socket.abort();
                        }
                    });
            CompletableFuture.delayedExecutor(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS).execute(socket::abort);
        }
    }
}
