package dev.relay.server.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.event.RelayEvent;
import dev.relay.server.config.WebhookConfig;
import dev.relay.server.testing.Backend;
import dev.relay.server.testing.Backend.Answer;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Webhooks of a real server, POSTed to a real HTTP backend started by each test. */
class WebhooksIT {
    private static final String SECRET = "hook-secret";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<AutoCloseable> running = new ArrayList<>();
    @TempDir
    Path dataDir;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : running.reversed()) {
            closeable.close();
        }
    }

    @Test
    void aBatchIsSignedWithTheSecretAndCarriesItsEventsInOrder() {
        Backend backend = backend(request -> Answer.status(204));
        TestServer server = server(hook(backend, Map.of("events", List.of("member_joined", "room_message",
                "member_left"), "rooms", List.of("sup*"), "batch_delay", "1s")));

        try (WsClient alice = server.connect("alice", "general")) {
            alice.send(Map.of("type", "join_room", "room_id", "support", "id", "j")).awaitType("joined");
            alice.send(Map.of("type", "room_message", "room_id", "support", "id", "m", "content", "hi"))
                    .awaitType("ack");
            alice.send(Map.of("type", "leave_room", "room_id", "support", "id", "l")).awaitType("left");
        }

        await().until(() -> !backend.requests.isEmpty());
        Backend.Request delivery = backend.requests.getFirst();
        String signature = delivery.header("X-Relay-Signature");
        assertThat(signature).isEqualTo("sha256=" + Signatures.hmacHex(SECRET, delivery.body()));
        assertThat(signature).as("another secret signs differently")
                .isNotEqualTo("sha256=" + Signatures.hmacHex("wrong-secret", delivery.body()));
        assertThat(signature).as("any change to the body changes it")
                .isNotEqualTo("sha256=" + Signatures.hmacHex(SECRET, (delivery.text() + " ").getBytes(StandardCharsets.UTF_8)));
        assertThat(Long.parseLong(delivery.header("X-Relay-Timestamp"))).isPositive();
        JsonNode body = delivery.json();
        assertThat(body.path("id").asText()).isEqualTo(delivery.header("X-Relay-Delivery")).isNotEmpty();
        assertThat(body.path("time_ms").asLong()).isPositive();
        assertThat(names(body)).as("one batch, in order, general filtered out by rooms")
                .containsExactly("member_joined", "room_message", "member_left");
        assertThat(body.path("events").get(1).path("room_id").asText()).isEqualTo("support");
        assertThat(body.path("events").get(1).path("user_id").asText()).isEqualTo("alice");
        assertThat(body.path("events").get(1).path("content").asText()).isEqualTo("hi");
        await().untilAsserted(() -> assertThat(server.scrape().value("relay_webhook_deliveries_total",
                "outcome", "delivered", "webhook", backend.url("/hook"))).isEqualTo(1.0));
        assertThat(backend.requests).hasSize(1);
    }

    @Test
    void aDeliveryAnswered500IsRetriedWithTheSameIdAndBody() {
        AtomicInteger calls = new AtomicInteger();
        Backend backend = backend(request -> calls.incrementAndGet() == 1 ? Answer.status(500) : Answer.status(200));
        TestServer server = server(hook(backend, Map.of("events", List.of("user_online"), "retry_delay", "20ms")));

        server.connect("alice", "general").close();

        await().until(() -> backend.requests.size() == 2);
        assertThat(backend.requests.get(1).header("X-Relay-Delivery"))
                .isEqualTo(backend.requests.get(0).header("X-Relay-Delivery"));
        assertThat(backend.requests.get(1).body()).isEqualTo(backend.requests.get(0).body());
        await().untilAsserted(() -> {
            var metrics = server.scrape();
            assertThat(metrics.value("relay_webhook_deliveries_total", "outcome", "retried", "webhook",
                    backend.url("/hook"))).isEqualTo(1.0);
            assertThat(metrics.value("relay_webhook_deliveries_total", "outcome", "delivered", "webhook",
                    backend.url("/hook"))).isEqualTo(1.0);
        });
    }

    @Test
    void aTimeoutIsRetriedAndTheLastFailureGivesUpCounted() {
        Backend slow = backend(request -> new Answer(200, "", Duration.ofSeconds(3)));
        TestServer server = server(hook(slow, Map.of("events", List.of("user_online"), "timeout", "200ms",
                "retry_delay", "20ms", "max_attempts", "2")));

        server.connect("alice", "general").close();

        await().until(() -> slow.requests.size() == 2);
        await().untilAsserted(() -> assertThat(server.scrape().value("relay_webhook_deliveries_total",
                "outcome", "failed", "webhook", slow.url("/hook"))).isEqualTo(1.0));
        assertThat(slow.requests.get(1).header("X-Relay-Delivery"))
                .isEqualTo(slow.requests.get(0).header("X-Relay-Delivery"));
        assertThat(server.scrape().value("relay_webhook_deliveries_total", "outcome", "delivered", "webhook",
                slow.url("/hook"))).isZero();
    }

    @Test
    void aFullQueueDropsAndCountsEventsForItsWebhookAloneAndTheOthersGetThemAll() throws Exception {
        Backend stuck = backend(request -> new Answer(200, "", Duration.ofSeconds(2)));
        Backend healthy = backend(request -> Answer.status(200));
        TestServer server = start(Map.of("webhooks", MAPPER.writeValueAsString(List.of(
                hookMap(stuck, Map.of("queue_size", "1", "batch_delay", "0s", "events", List.of("user_online"))),
                hookMap(healthy, Map.of("queue_size", "5", "events", List.of("user_online")))))));

        for (int i = 0; i < 5; i++) {
            server.connect("user" + i, "general").close();
        }

        await().until(() -> healthy.requests.stream().mapToInt(r -> names(r.json()).size()).sum() == 5);
        await().untilAsserted(() -> assertThat(server.scrape().value("relay_webhook_events_dropped_total",
                "webhook", stuck.url("/hook"))).isPositive());
        assertThat(server.scrape().value("relay_webhook_events_dropped_total", "webhook", healthy.url("/hook")))
                .as("a queue of 5 holds 5 events: none dropped").isZero();
    }

    @Test
    void pusherCompatibleModeSendsPushersHeadersNamesAndShape() {
        Backend backend = backend(request -> Answer.status(200));
        Map<String, Object> pusher = new HashMap<>(Map.of("pusher_compatible", "true", "pusher_key", "app-key",
                "events", List.of("room_occupied", "member_joined"), "rooms", List.of("support"), "batch_delay",
                "1s"));
        TestServer server = server(hook(backend, pusher));

        try (WsClient bob = server.connect("bob", "general")) {
            bob.send(Map.of("type", "join_room", "room_id", "support", "id", "j")).awaitType("joined");
            await().until(() -> !backend.requests.isEmpty());
        }

        Backend.Request delivery = backend.requests.getFirst();
        assertThat(delivery.header("X-Pusher-Key")).isEqualTo("app-key");
        assertThat(delivery.header("X-Pusher-Signature")).isEqualTo(Signatures.hmacHex(SECRET, delivery.body()));
        JsonNode body = delivery.json();
        assertThat(body.has("id")).as("Pusher's body has no id").isFalse();
        assertThat(body.path("time_ms").asLong()).isPositive();
        assertThat(body.path("events").toString()).isEqualTo(
                "[{\"name\":\"member_added\",\"channel\":\"support\",\"user_id\":\"bob\"},"
                        + "{\"name\":\"channel_occupied\",\"channel\":\"support\"}]");
    }

    @Test
    void theTestEndpointSendsASignedTestEventToEachWebhookAndSaysWhatEachAnswered() throws Exception {
        Backend up = backend(request -> Answer.status(202));
        Backend down = backend(request -> Answer.status(503));
        String hooks = MAPPER.writeValueAsString(List.of(hookMap(up, Map.of()), hookMap(down, Map.of())));
        TestServer server = start(Map.of("webhooks", hooks));

        Http.Response refused = server.http().post("/ws/webhooks/test", server.token("alice"), "");
        Http.Response tested = server.http().post("/ws/webhooks/test", server.adminToken("root"), "");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("forbidden");
        assertThat(tested.status()).isEqualTo(200);
        JsonNode answers = tested.data().path("webhooks");
        assertThat(answers.get(0).path("url").asText()).isEqualTo(up.url("/hook"));
        assertThat(answers.get(0).path("status").asInt()).isEqualTo(202);
        assertThat(answers.get(0).path("delivered").asBoolean()).isTrue();
        assertThat(answers.get(1).path("status").asInt()).isEqualTo(503);
        assertThat(answers.get(1).path("delivered").asBoolean()).isFalse();
        Backend.Request test = up.requests.getFirst();
        assertThat(test.header("X-Relay-Signature")).isEqualTo("sha256=" + Signatures.hmacHex(SECRET, test.body()));
        assertThat(names(test.json())).containsExactly("webhook_test");
        assertThat(down.requests).as("a test is sent once, not retried").hasSize(1);
    }

    @Test
    void withPersistenceOnAPendingDeliverySurvivesARestart() throws Exception {
        Backend backend = backend(request -> Answer.status(500));
        Map<String, String> settings = Map.of(
                "webhooks", MAPPER.writeValueAsString(List.of(hookMap(backend,
                        Map.of("events", List.of("user_online"), "retry_delay", "1h")))),
                "enable_message_persistence", "true",
                "data_dir", dataDir.toString());
        TestServer first = TestServer.start(settings);
        first.connect("alice", "general").close();
        await().until(() -> backend.requests.size() == 1);
        String id = backend.requests.getFirst().header("X-Relay-Delivery");
        first.close();
        try (var spools = Files.list(dataDir.resolve("webhooks"))) {
            assertThat(spools).as("a spool per webhook").hasSize(1);
        }

        backend.answer(request -> Answer.status(200));
        TestServer second = start(settings);

        await().until(() -> backend.requests.size() >= 2);
        Backend.Request resent = backend.requests.get(1);
        assertThat(resent.header("X-Relay-Delivery")).isEqualTo(id);
        assertThat(names(resent.json())).containsExactly("user_online");
        await().untilAsserted(() -> assertThat(second.scrape().value("relay_webhook_deliveries_total",
                "outcome", "delivered", "webhook", backend.url("/hook"))).isEqualTo(1.0));
        second.close();
        running.remove(second);
        TestServer third = start(settings);
        assertThat(third.scrape().value("relay_webhook_deliveries_total", "outcome", "delivered", "webhook",
                backend.url("/hook"))).as("delivered once: not in the spool any more").isZero();
        assertThat(backend.requests.stream().filter(r -> id.equals(r.header("X-Relay-Delivery")))).hasSize(2);
    }

    static List<String> names(JsonNode body) {
        List<String> names = new ArrayList<>();
        body.path("events").forEach(event -> names.add(event.path("name").asText()));
        return names;
    }

    @Test
    void atMostTheBoundOfDeliveriesWaitForARetryAndOnePastItIsDroppedAndCounted() {
        Backend backend = backend(request -> Answer.status(500));
        // An hour between tries: every failed delivery stays waiting for its retry for the whole test.
        WebhookConfig hook = new WebhookConfig(URI.create(backend.url("/hook")), List.of(), List.of(), SECRET,
                Duration.ZERO, Duration.ofSeconds(5), false, Optional.empty(), 5, Duration.ofHours(1), 100);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
        HttpClient client = HttpClient.newHttpClient();
        int bound = 3;
        WebhookDispatcher dispatcher = new WebhookDispatcher("webhook-0", "bounded", hook,
                new WebhookBodies(MAPPER, false), new WebhookSender(() -> client, Clock.systemUTC()), Spool.NONE,
                retries, Clock.systemUTC(), registry, bound);
        running.add(() -> {
            dispatcher.close();
            retries.shutdownNow();
            client.close();
        });
        dispatcher.start();

        // One event per delivery: each is sent (and fails) before the next event arrives.
        for (int i = 1; i <= bound; i++) {
            dispatcher.onEvent(new RelayEvent.RoomOccupied("room-" + i, Instant.now()));
            int failed = i;
            await().until(() -> outcome(registry, "retried") == failed);
        }
        assertThat(outcome(registry, "dropped")).as("at the bound, every failed delivery waits").isZero();
        dispatcher.onEvent(new RelayEvent.RoomOccupied("room-" + (bound + 1), Instant.now()));
        await().until(() -> outcome(registry, "dropped") == 1);
        assertThat(outcome(registry, "retried")).as("one past the bound is not scheduled").isEqualTo(bound);
        assertThat(outcome(registry, "failed")).isZero();
        assertThat(backend.requests).as("each tried once, none retried yet").hasSize(bound + 1);
        assertThat(backend.requests.getLast().json().path("events").get(0).path("room_id").asText())
                .isEqualTo("room-" + (bound + 1));
        assertThat(WebhookDispatcher.MAX_RETRYING).as("the production bound docs/integrations.md gives")
                .isEqualTo(1_000);
    }


    private static double outcome(SimpleMeterRegistry registry, String outcome) {
        return registry.get("relay.webhook.deliveries").tag("webhook", "bounded").tag("outcome", outcome)
                .counter().count();
    }

    private Backend backend(java.util.function.Function<Backend.Request, Answer> answers) {
        Backend backend = Backend.start(answers);
        running.add(backend);
        return backend;
    }

    private static Map<String, Object> hookMap(Backend backend, Map<String, Object> more) {
        Map<String, Object> hook = new LinkedHashMap<>();
        hook.put("url", backend.url("/hook"));
        hook.put("secret", SECRET);
        hook.putAll(more);
        return hook;
    }

    private static Map<String, String> hook(Backend backend, Map<String, Object> more) {
        try {
            return Map.of("webhooks", MAPPER.writeValueAsString(List.of(hookMap(backend, more))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private TestServer server(Map<String, String> settings) {
        return start(settings);
    }

    private TestServer start(Map<String, String> settings) {
        TestServer server = TestServer.start(settings);
        running.add(server);
        return server;
    }
}
