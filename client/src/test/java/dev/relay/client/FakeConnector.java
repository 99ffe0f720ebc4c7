package dev.relay.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A connector the test plays the server of: it sees every attempt and link, and says what the server answers. */
final class FakeConnector implements Connector {
    private static final ObjectMapper JSON = new ObjectMapper();
    final List<Attempt> attempts = new ArrayList<>();

    @Override
    public CompletableFuture<Void> open(URI uri, Map<String, String> headers, Events events) {
        Attempt attempt = new Attempt(uri, headers, events);
        attempts.add(attempt);
        return attempt.result;
    }

    Attempt last() {
        return attempts.getLast();
    }

    static final class Attempt {
        final URI uri;
        final Map<String, String> headers;
        final Events events;
        final CompletableFuture<Void> result = new CompletableFuture<>();
        final List<String> sent = new ArrayList<>();
        Integer closedWith;
        boolean aborted;

        Attempt(URI uri, Map<String, String> headers, Events events) {
            this.uri = uri;
            this.headers = headers;
            this.events = events;
        }

        /** Accepts the upgrade and sends the welcome for {@code room}. */
        Attempt welcome(String room) {
            events.onOpen(new Link() {
                @Override
                public CompletableFuture<Void> sendText(String text) {
                    sent.add(text);
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<Void> sendBinary(ByteBuffer bytes) {
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public void close(int code, String reason) {
                    closedWith = code;
                }

                @Override
                public void abort() {
                    aborted = true;
                }
            });
            result.complete(null);
            return text("{\"type\":\"welcome\",\"data\":{\"client_id\":\"c1\",\"user_id\":\"alice\",\"room_id\":\""
                    + room + "\"}}");
        }

        Attempt text(String json) {
            events.onText(json);
            return this;
        }

        Attempt resumed(String room, boolean recovered, String epoch, long seq, String ref) {
            return text("{\"type\":\"resumed\",\"room_id\":\"" + room + "\",\"data\":{\"recovered\":" + recovered
                    + ",\"replayed\":0,\"epoch\":\"" + epoch + "\",\"seq\":" + seq
                    + (ref == null ? "" : ",\"ref\":\"" + ref + "\"") + "}}");
        }

        Attempt roomMessage(String room, String epoch, long seq, String content) {
            return text("{\"type\":\"room_message\",\"id\":\"s" + epoch + seq + "\",\"from\":\"bob\",\"room_id\":\""
                    + room + "\",\"seq\":" + seq + ",\"epoch\":\"" + epoch + "\",\"content\":\"" + content
                    + "\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"}");
        }

        Attempt ack(String ref, long seq) {
            return text("{\"type\":\"ack\",\"data\":{\"ref\":\"" + ref + "\",\"id\":\"srv-" + ref + "\",\"seq\":" + seq
                    + "}}");
        }

        void refuse(int status) {
            result.completeExceptionally(new HandshakeRefused(status, Duration.ZERO, "{}"));
        }

        void unreachable() {
            result.completeExceptionally(new ConnectException("Connection refused"));
        }

        void close(int code) {
            events.onClosed(code, "closed by the test");
        }

        void drop() {
            events.onFailure(new IOException("connection reset"));
        }

        /** The frames the client sent, as JSON. */
        List<JsonNode> frames() {
            return sent.stream().map(FakeConnector::parse).toList();
        }

        List<JsonNode> frames(String type) {
            return frames().stream().filter(f -> type.equals(f.path("type").asText())).toList();
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
