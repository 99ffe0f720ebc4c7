package dev.relay.spring;

import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.server.WebSocketService;
import dev.relay.server.auth.TokenIssuer;
import dev.relay.server.config.ConfigException;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A real Spring Boot application (Tomcat, actuator) with the starter on its classpath and Relay's settings in its
 * application.yml: its own route, Relay's WebSocket, health and metrics, and the context's close stopping Relay.
 */
class RelayStarterIT {
    private static final String SECRET = "test-secret-that-is-at-least-32-bytes-long";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ConfigurableApplicationContext context;

    @BeforeEach
    void start() {
        context = new SpringApplicationBuilder(HostApplication.class).run();
    }

    @AfterEach
    void stop() {
        context.close();
    }

    @Test
    void theApplicationServesItsOwnRouteAndRelaysWebSocket() throws Exception {
        assertThat(get(appPort(), "/hello").body()).isEqualTo("hello from the application");

        // default-rooms came from the YAML list; relay.settings.* and relay.jwt-secret from the same file.
        Client alice = Client.connect(relayUri("alice", "lobby"));
        Client bob = Client.connect(relayUri("bob", "lobby"));
        assertThat(alice.awaitType("welcome").path("data").path("room_id").asText()).isEqualTo("lobby");
        bob.awaitType("welcome");
        alice.socket.sendText("{\"type\":\"room_message\",\"room_id\":\"lobby\",\"content\":\"hi from Boot\"}", true)
                .get(5, TimeUnit.SECONDS);
        JsonNode message = bob.awaitType("room_message");
        assertThat(message.path("content").asText()).isEqualTo("hi from Boot");
        assertThat(message.path("from").asText()).isEqualTo("alice");
    }

    @Test
    void theApplicationKeepsSpringBootsLoggingNotRelays() {
        // relay-server's logback.xml (the command line's: a file under log_dir, an async appender) stays out.
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("ASYNC")).isNull();
        assertThat(root.getAppender("CONSOLE")).isNotNull();
        assertThat(context.getEnvironment().getProperty("logging.config")).isEqualTo(RelayLoggingDefaults.BOOT_CONSOLE);
    }

    @Test
    void actuatorHealthIncludesRelay() throws Exception {
        HttpResponse<String> health = get(appPort(), "/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode relay = JSON.readTree(health.body()).path("components").path("relay");
        assertThat(relay.path("status").asText()).isEqualTo("UP");
        assertThat(relay.path("details").path("reasons").isArray()).isTrue();
        assertThat(relay.path("details").path("connections").asInt()).isZero();
    }

    @Test
    void relaysMetricsAreInTheApplicationsRegistry() throws Exception {
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        Client.connect(relayUri("carol", "general")).awaitType("welcome");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Meter opened = registry.find("relay.connections.opened").meter();
            assertThat(opened).isNotNull();
            assertThat(opened.measure().iterator().next().getValue()).isEqualTo(1.0);
        });
        // The JVM's meters stay Relay's: the application measures its own JVM.
        assertThat(registry.find("relay.connections.opened").meters()).hasSize(1);
        HttpResponse<String> metric = get(appPort(), "/actuator/metrics/relay.connections.opened");
        assertThat(metric.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(metric.body()).path("measurements").get(0).path("value").asDouble()).isEqualTo(1.0);
    }

    @Test
    void closingTheContextStopsRelay() throws Exception {
        int relayPort = context.getBean(WebSocketService.class).port();
        Client dave = Client.connect(relayUri("dave", "general"));
        dave.awaitType("welcome");

        context.close();

        assertThat(dave.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
        assertThatThrownBy(() -> get(relayPort, "/ws/openapi.json")).isInstanceOf(IOException.class);
    }

    @Test
    void relayMayNotTakeTheApplicationsPort() {
        // As arguments: they outrank application.yml, where both ports are 0.
        assertThatThrownBy(() -> new SpringApplicationBuilder(HostApplication.class)
                .run("--server.port=18931", "--relay.port=18931").close())
                .hasRootCauseInstanceOf(ConfigException.class)
                .rootCause().hasMessageContaining("server.port");
    }

    @Test
    void withoutAWebServerTheApplicationsServerPortIsNoConflict() throws IOException {
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        try (ConfigurableApplicationContext plain = new SpringApplicationBuilder(HostApplication.class)
                .web(WebApplicationType.NONE).run("--server.port=" + free, "--relay.port=" + free)) {
            assertThat(plain.getBean(WebSocketService.class).port()).isEqualTo(free);
        }
    }

    @Test
    void relayEnabledFalseLeavesRelayOut() {
        try (ConfigurableApplicationContext without = new SpringApplicationBuilder(HostApplication.class)
                .run("--server.port=0", "--relay.enabled=false")) {
            assertThat(without.getBeanProvider(WebSocketService.class).getIfAvailable()).isNull();
            assertThat(without.getBeanProvider(MeterRegistry.class).getObject()
                    .find("relay.connections.opened").meter()).isNull();
        }
    }

    @Test
    void aBadRelaySettingStopsTheApplicationNamingIt() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(HostApplication.class)
                .run("--relay.settings.max_conections=5").close())
                .hasRootCauseInstanceOf(ConfigException.class)
                .rootCause().hasMessageContaining("max_conections").hasMessageContaining("max_connections");
    }

    private int appPort() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private URI relayUri(String user, String room) {
        String token = new TokenIssuer(SECRET, Clock.systemUTC()).issue(user, null, List.of(), Duration.ofHours(1));
        return URI.create("ws://127.0.0.1:" + context.getBean(WebSocketService.class).port()
                + "/ws/connect?room_id=" + room + "&token=" + token);
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The JDK's WebSocket client, its text messages queued as JSON. */
    private static final class Client implements WebSocket.Listener {
        private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Client connect(URI uri) throws Exception {
            Client client = new Client();
            client.socket = HTTP.newWebSocketBuilder().buildAsync(uri, client).get(10, TimeUnit.SECONDS);
            return client;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    received.add(JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        JsonNode awaitType(String type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                JsonNode next = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (next != null && next.path("type").asText().equals(type)) {
                    return next;
                }
            }
            throw new AssertionError("no '" + type + "' message within 5 s");
        }
    }
}
