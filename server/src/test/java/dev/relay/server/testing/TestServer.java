package dev.relay.server.testing;

import dev.relay.core.event.EventListener;
import dev.relay.server.WebSocketService;
import dev.relay.server.auth.TokenIssuer;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.RelayConfig;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A real Relay server on a free loopback port, configured through the same string keys as a user would. */
public final class TestServer implements AutoCloseable {
    public static final String SECRET = "test-secret-that-is-at-least-32-bytes-long";

    private final WebSocketService service;
    private final TokenIssuer tokens = new TokenIssuer(SECRET, Clock.systemUTC());

    private TestServer(WebSocketService service) {
        this.service = service;
    }

    /** Starts with the defaults plus {@code settings} (configuration keys and values as strings). */
    public static TestServer start(Map<String, String> settings) {
        return start(settings, List.of());
    }

    /** Starts like {@link #start(Map)}, with the hub's events going to {@code listeners}. */
    public static TestServer start(Map<String, String> settings, List<EventListener> listeners) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("host", "127.0.0.1");
        overrides.put("port", "0");
        overrides.put("jwt_secret", SECRET);
        overrides.put("log_dir", "target/test-logs");
        overrides.putAll(settings);
        RelayConfig config = ConfigLoader.load(null, Map.of(), overrides);
        try {
            return new TestServer(WebSocketService.create(config, listeners).start());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Wraps a service started by the test itself (e.g. from a configuration file it reloads). */
    public static TestServer of(WebSocketService started) {
        return new TestServer(started);
    }

    public static TestServer start() {
        return start(Map.of());
    }

    public WebSocketService service() {
        return service;
    }

    public int port() {
        return service.port();
    }

    public String token(String userId, String... roles) {
        return tokens.issue(userId, null, List.of(roles), Duration.ofHours(1));
    }

    public String adminToken(String userId) {
        return token(userId, "admin");
    }

    /** {@code ws://127.0.0.1:PORT/ws/connect?room_id=ROOM&token=TOKEN}; a null room or token is left out. */
    public URI connectUri(String roomId, String token) {
        StringBuilder uri = new StringBuilder("ws://127.0.0.1:").append(port()).append("/ws/connect");
        String separator = "?";
        if (roomId != null) {
            uri.append(separator).append("room_id=").append(roomId);
            separator = "&";
        }
        if (token != null) {
            uri.append(separator).append("token=").append(token);
        }
        return URI.create(uri.toString());
    }

    /** {@code ws://127.0.0.1:PORT/ws/connect?QUERY}, the query given whole. */
    public URI connectUriWithQuery(String query) {
        return URI.create("ws://127.0.0.1:" + port() + "/ws/connect?" + query);
    }

    public URI httpUri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Connects a user to a room and consumes the welcome, ready for the next message. */
    public WsClient connect(String userId, String roomId, String... roles) {
        WsClient client = WsClient.connect(connectUri(roomId, token(userId, roles)));
        client.expectType("welcome");
        return client;
    }

    public Http http() {
        return new Http(this::httpUri);
    }

    /** HTTP against the internal port; the server must have been started with {@code internal_port}. */
    public Http internalHttp() {
        int internal = service.internalAddress().orElseThrow(() ->
                new IllegalStateException("started without internal_port")).getPort();
        return new Http(path -> URI.create("http://127.0.0.1:" + internal + path));
    }

    /** The metrics as Prometheus text, scraped from whichever port serves them. */
    public Prometheus scrape() {
        Http http = service.internalAddress().isPresent() ? internalHttp() : http();
        Http.Response response = http.get("/metrics", null);
        if (response.status() != 200) {
            throw new AssertionError("GET /metrics answered " + response.status());
        }
        return Prometheus.parse(response.raw().body());
    }

    @Override
    public void close() {
        service.close();
    }
}
