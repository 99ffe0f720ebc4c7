package dev.relay.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.relay.server.testing.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The alert webhook against a real HTTP server in the test: the JSON, the retries and the cooldown. */
class AlertWebhookTest {
    private static final Duration COOLDOWN = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    /** How many of the next requests to answer with 500 before answering 204. */
    private final AtomicInteger failNext = new AtomicInteger();
    private final AtomicInteger attempts = new AtomicInteger();
    private HttpServer receiver;
    private AlertWebhook webhook;

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            attempts.incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            boolean fail = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            if (!fail) {
                received.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(fail ? 500 : 204, -1);
            exchange.close();
        });
        receiver.start();
        URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        webhook = new AlertWebhook(url, COOLDOWN, Duration.ofMillis(10), clock);
    }

    @AfterEach
    void stop() {
        webhook.close();
        receiver.stop(0);
    }

    @Test
    void postsTheChangeAsJson() {
        webhook.accept(change("connections", true));

        await().until(() -> received.size() == 1);
        JsonNode body = received.getFirst();
        assertThat(body.path("alert").asText()).isEqualTo("connections");
        assertThat(body.path("status").asText()).isEqualTo("firing");
        assertThat(body.path("value").asDouble()).isEqualTo(0.95);
        assertThat(body.path("threshold").asDouble()).isEqualTo(0.9);
        assertThat(body.path("detail").asText()).isEqualTo("95 of 100 connections");
        assertThat(body.path("timestamp").asText()).isEqualTo("2026-01-01T00:00:00.000Z");
    }

    @Test
    void retriesAFailedPostUntilItIsTaken() {
        failNext.set(AlertWebhook.ATTEMPTS - 1);

        webhook.accept(change("heap", true));

        await().until(() -> received.size() == 1);
        assertThat(attempts).hasValue(AlertWebhook.ATTEMPTS);
        assertThat(received.getFirst().path("alert").asText()).isEqualTo("heap");
    }

    @Test
    void givesUpAfterTheLastAttempt() {
        failNext.set(AlertWebhook.ATTEMPTS);
        webhook.accept(change("heap", true));
        webhook.accept(change("connections", true)); // queued behind the failing one on the one sender

        await().until(() -> received.size() == 1);
        assertThat(attempts).as("three tries for heap, one for connections").hasValue(AlertWebhook.ATTEMPTS + 1);
        assertThat(received.getFirst().path("alert").asText()).isEqualTo("connections");
    }

    @Test
    void holdsAChangeWithinTheCooldownAndSendsTheLatestStateWhenItEnds() {
        webhook.accept(change("connections", true));
        clock.advance(COOLDOWN.minusSeconds(1));
        webhook.accept(change("connections", false));
        webhook.tick();
        webhook.accept(change("heap", true)); // another alert is not held back; it arrives after anything sent before
        await().until(() -> received.size() == 2);
        assertThat(received).extracting(body -> body.path("alert").asText() + " " + body.path("status").asText())
                .containsExactly("connections firing", "heap firing");

        clock.advance(Duration.ofSeconds(1));
        webhook.tick();

        await().until(() -> received.size() == 3);
        assertThat(received.get(2).path("alert").asText()).isEqualTo("connections");
        assertThat(received.get(2).path("status").asText()).isEqualTo("cleared");
    }

    @Test
    void aFlapBackWithinTheCooldownSendsNothing() {
        webhook.accept(change("connections", true));
        clock.advance(Duration.ofSeconds(10));
        webhook.accept(change("connections", false));
        webhook.accept(change("connections", true));
        clock.advance(COOLDOWN);
        webhook.tick();
        webhook.accept(change("heap", true)); // a marker: anything sent before it arrives first

        await().until(() -> received.size() == 2);
        assertThat(received).extracting(body -> body.path("alert").asText() + " " + body.path("status").asText())
                .containsExactly("connections firing", "heap firing");
    }

    private AlertChange change(String alert, boolean firing) {
        return new AlertChange(alert, firing, 0.95, 0.9, "95 of 100 connections", clock.instant());
    }
}
