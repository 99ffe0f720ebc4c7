package dev.relay.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The list-of-mappings key (webhooks:) and the proxy keys: read from YAML and from the environment, and refused. */
class WebhooksConfigTest {
    @TempDir
    Path dir;

    @Test
    void aListOfMappingsIsReadWithDefaultsForWhatItLeavesOut() throws IOException {
        RelayConfig config = ConfigLoader.load(yaml("""
                websocket:
                  webhooks:
                    - url: https://app.example.com/hooks
                      secret: s3cret
                      events: [room_occupied, member_joined]
                      rooms: ["game-*"]
                    - url: http://127.0.0.1:9000/pusher
                      secret: other
                      batch_delay: 0s
                      timeout: 2s
                      pusher_compatible: true
                      pusher_key: app-key
                      max_attempts: 3
                      retry_delay: 10ms
                      queue_size: 5
                """), Map.of(), Map.of());

        List<WebhookConfig> hooks = config.integrations().webhooks();
        assertThat(hooks).hasSize(2);
        WebhookConfig first = hooks.getFirst();
        assertThat(first.url()).isEqualTo(URI.create("https://app.example.com/hooks"));
        assertThat(first.events()).containsExactly("room_occupied", "member_joined");
        assertThat(first.rooms()).containsExactly("game-*");
        assertThat(first.batchDelay()).isEqualTo(Duration.ofMillis(50));
        assertThat(first.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(first.maxAttempts()).isEqualTo(5);
        assertThat(first.pusherCompatible()).isFalse();
        WebhookConfig second = hooks.get(1);
        assertThat(second.batchDelay()).isZero();
        assertThat(second.pusherCompatible()).isTrue();
        assertThat(second.pusherKey()).contains("app-key");
        assertThat(second.retryDelay()).isEqualTo(Duration.ofMillis(10));
        assertThat(second.queueSize()).isEqualTo(5);
        assertThat(second.toString()).doesNotContain("other");
    }

    @Test
    void theEnvironmentGivesTheSameListAsJson() {
        RelayConfig config = ConfigLoader.load(null, Map.of("WS_WEBHOOKS",
                "[{\"url\": \"https://a.example/h\", \"secret\": \"k\", \"events\": [\"user_online\"]}]"), Map.of());

        assertThat(config.integrations().webhooks()).singleElement()
                .satisfies(hook -> assertThat(hook.events()).containsExactly("user_online"));
        assertThat(ConfigLoader.load(null, Map.of("WS_WEBHOOKS", ""), Map.of()).integrations().webhooks()).isEmpty();
    }

    @Test
    void badItemsAreRefusedNamingTheItemAndFieldButNeverTheSecret() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(yaml("""
                websocket:
                  webhooks:
                    - url: https://a.example/h
                      secret: topsecret
                      batch_dealy: 10ms
                """), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("websocket.webhooks")
                .hasMessageContaining("webhook item 1, line 3: batch_dealy: unknown field; did you mean batch_delay?")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> ConfigLoader.load(yaml("""
                websocket:
                  webhooks:
                    - url: https://a.example/h
                      secret: k
                    - secret: k
                """), Map.of(), Map.of()))
                .hasMessageContaining("webhook item 2, line 5: url: required");
        assertThatThrownBy(() -> env("[{\"url\": \"ftp://x/\", \"secret\": \"k\"}]"))
                .hasMessageContaining("item 1: url: expected an http:// or https:// URL");
        assertThatThrownBy(() -> env("[{\"url\": \"https://x/\", \"secret\": \"k\", \"events\": [\"room_ocupied\"]}]"))
                .hasMessageContaining("\"room_ocupied\" is not an event");
        assertThatThrownBy(() -> env("[{\"url\": \"https://x/\"}]")).hasMessageContaining("secret: required");
        assertThatThrownBy(() -> env("[{\"url\": \"https://x/\", \"secret\": \"k\", \"pusher_compatible\": true}]"))
                .hasMessageContaining("pusher_key: required");
        assertThatThrownBy(() -> env("[{\"url\": \"https://x/\", \"secret\": \"k\", \"max_attempts\": 0}]"))
                .hasMessageContaining("max_attempts: expected an integer between 1 and 20");
        assertThatThrownBy(() -> env("{\"url\": \"https://x/\"}")).hasMessageContaining("expected a list of webhook");
        assertThatThrownBy(() -> env("[{\"url\": \"https://x/\", \"secret\": {\"a\": 1}}]"))
                .hasMessageContaining("secret: expected a single value or a list");
    }

    @Test
    void aListOfMappingsIsRefusedForAPlainKeyAndPlainValuesForWebhooks() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(yaml("""
                websocket:
                  default_rooms:
                    - id: general
                """), Map.of(), Map.of()))
                .hasMessageContaining("websocket.default_rooms").hasMessageContaining("not a list of mappings");
        assertThatThrownBy(() -> ConfigLoader.load(yaml("""
                websocket:
                  webhooks: [https://a.example/h]
                """), Map.of(), Map.of()))
                .hasMessageContaining("expected a list of webhook mappings, not of plain values");
        assertThatThrownBy(() -> ConfigLoader.load(yaml("""
                websocket:
                  webhooks:
                    - url: https://a.example/h
                      secret: k
                      url: https://b.example/h
                """), Map.of(), Map.of()))
                .hasMessageContaining("set twice");
    }

    @Test
    void proxyKeysHaveTheirDefaultsAndHeadersAreLowerCased() {
        RelayConfig defaults = RelayConfig.defaults();
        assertThat(defaults.integrations().connect().enabled()).isFalse();
        assertThat(defaults.integrations().connect().timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.integrations().connect().failOpen()).isFalse();
        assertThat(defaults.integrations().connectMode()).isEqualTo("always");

        RelayConfig config = ConfigLoader.load(null, Map.of("WS_PROXY_PUBLISH_URL", "http://127.0.0.1:1/p",
                "WS_PROXY_PUBLISH_HEADERS", "Cookie, X-Tenant"), Map.of());
        assertThat(config.integrations().publish().headers()).containsExactly("cookie", "x-tenant");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("WS_PROXY_RPC_HEADERS", "bad header"), Map.of()))
                .hasMessageContaining("is not a header name");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("WS_PROXY_CONNECT_MODE", "sometimes"), Map.of()))
                .hasMessageContaining("expected one of always, without_valid_jwt");
    }

    private static RelayConfig env(String json) {
        return ConfigLoader.load(null, Map.of("WS_WEBHOOKS", json), Map.of());
    }

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, text);
        return file;
    }
}
