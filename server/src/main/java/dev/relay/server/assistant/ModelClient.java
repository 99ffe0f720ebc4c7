package dev.relay.server.assistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The OpenAI-compatible chat completions API as the assistant uses it: {@code POST {base}/chat/completions} with
 * {@code stream: true}, read as server-sent events ({@code data: {chat.completion.chunk}} lines, each event ended by
 * a blank line, the stream by {@code data: [DONE]}); and {@code GET {base}/models} to see whether the server answers.
 * Calls block the calling thread (a virtual thread of the assistant's, never an event loop); {@link Call#abort}
 * stops one from another thread by closing its response, which closes the connection, so the model server stops
 * generating.
 */
final class ModelClient {
    /** Most bytes of an error body read for its message. */
    private static final int ERROR_BODY_LIMIT = 4096;
    /** Most characters of an upstream error message shown to users. */
    private static final int REASON_LIMIT = 200;

    private final HttpClient http;
    private final ObjectMapper json;
    private final URI base;
    private final Optional<String> apiKey;
    private final String model;
    private final int maxTokens;

    ModelClient(HttpClient http, ObjectMapper json, URI base, Optional<String> apiKey, String model, int maxTokens) {
        this.http = http;
        this.json = json;
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.apiKey = apiKey;
        this.model = model;
        this.maxTokens = maxTokens;
    }

    /** One request in flight, to be aborted from another thread. */
    static final class Call {
        private volatile InputStream body;
        private volatile Thread reader;
        private volatile boolean aborted;

        /** Closes the response (and with it the connection) and wakes the reading thread; idempotent. */
        void abort() {
            aborted = true;
            InputStream open = body;
            if (open != null) {
                try {
                    open.close();
                } catch (IOException ignored) {
                    // closing is all we wanted; the reader sees the stream end
                }
            }
            Thread thread = reader;
            if (thread != null) {
                thread.interrupt();
            }
        }

        boolean aborted() {
            return aborted;
        }
    }

    /** Whether {@code GET /models} answers 2xx within {@code wait}. */
    boolean reachable(Duration wait) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("models")).timeout(wait).GET();
        apiKey.ifPresent(key -> request.header("Authorization", "Bearer " + key));
        try {
            int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 300;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Streams a completion of {@code turns}, handing each piece of text to {@code delta} as it arrives; blocks until
     * the stream ends. Returns {@code done} after {@code [DONE]}, {@code error} for an answer other than 2xx (with
     * the server's own message), a stream that breaks off or a server that cannot be reached; an aborted call returns
     * {@link Outcome#CANCELLED} and the caller says why.
     */
    Outcome stream(List<ChatTurn> turns, Consumer<String> delta, Call call) {
        call.reader = Thread.currentThread();
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("chat/completions"))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body(turns), StandardCharsets.UTF_8));
        apiKey.ifPresent(key -> request.header("Authorization", "Bearer " + key));
        try {
            if (call.aborted()) {
                return Outcome.CANCELLED;
            }
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                call.body = in;
                if (call.aborted()) {
                    return Outcome.CANCELLED;
                }
                if (response.statusCode() / 100 != 2) {
                    return Outcome.error("the model server answered " + response.statusCode()
                            + errorMessage(in.readNBytes(ERROR_BODY_LIMIT)).map(m -> ": " + m).orElse(""));
                }
                return read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), delta);
            }
        } catch (IOException e) {
            return call.aborted() ? Outcome.CANCELLED : Outcome.error("the model server could not be reached or broke"
                    + " off its answer");
        } catch (InterruptedException e) {
            return Outcome.CANCELLED;
        } finally {
            call.reader = null;
            Thread.interrupted(); // an abort's interrupt must not outlive this call on a reused thread
        }
    }

    /** Server-sent events: data lines gathered until a blank line, then one event; {@code [DONE]} ends it. */
    private Outcome read(BufferedReader lines, Consumer<String> delta) throws IOException {
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    Outcome end = event(data.toString(), delta);
                    data.setLength(0);
                    if (end != null) {
                        return end;
                    }
                }
            } else if (line.startsWith("data:")) {
                if (!data.isEmpty()) {
                    data.append('\n');
                }
                data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
            }
            // other fields (event:, id:, retry:) and comments (":") carry nothing the completion API uses
        }
        if (!data.isEmpty()) { // a last event without its blank line
            Outcome end = event(data.toString(), delta);
            if (end != null) {
                return end;
            }
        }
        return Outcome.error("the model server's answer broke off before it was complete");
    }

    /** One event's data: null to read on, or how the stream ended. */
    private Outcome event(String data, Consumer<String> delta) {
        if (data.strip().equals("[DONE]")) {
            return Outcome.DONE;
        }
        JsonNode chunk;
        try {
            chunk = json.readTree(data);
        } catch (JsonProcessingException e) {
            return Outcome.error("the model server sent something that is not a completion chunk");
        }
        if (chunk.hasNonNull("error")) {
            return Outcome.error("the model server failed" + message(chunk).map(m -> ": " + m).orElse(""));
        }
        JsonNode text = chunk.path("choices").path(0).path("delta").path("content");
        if (text.isTextual() && !text.asText().isEmpty()) {
            delta.accept(text.asText());
        }
        return null;
    }

    private String body(List<ChatTurn> turns) {
        ObjectNode body = json.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        for (ChatTurn turn : turns) {
            messages.addObject().put("role", turn.role()).put("content", turn.content());
        }
        body.put("stream", true);
        body.put("max_tokens", maxTokens);
        return body.toString();
    }

    /** {@code {"error":{"message":...}}} (OpenAI, vLLM), {@code {"error":"..."}} (Ollama) or {@code {"message":...}}. */
    private Optional<String> errorMessage(byte[] body) {
        try {
            return message(json.readTree(body));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> message(JsonNode node) {
        JsonNode error = node.path("error");
        JsonNode text = error.isTextual() ? error : error.path("message");
        if (!text.isTextual()) {
            text = node.path("message");
        }
        if (!text.isTextual() || text.asText().isBlank()) {
            return Optional.empty();
        }
        String message = text.asText().strip();
        return Optional.of(message.length() > REASON_LIMIT ? message.substring(0, REASON_LIMIT) + "…" : message);
    }
}
