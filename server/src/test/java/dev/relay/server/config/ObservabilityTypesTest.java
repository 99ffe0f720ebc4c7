package dev.relay.server.config;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ratio, choice, optional port and URL settings: what they accept and how they refuse the rest. */
class ObservabilityTypesTest {

    private static RelayConfig load(String key, String value) {
        return ConfigLoader.load(null, Map.of(), Map.of(key, value));
    }

    @Test
    void ratiosAreFractionsAboveZeroUpToOne() {
        assertThat(load("alert_heap_ratio", "0.5").observability().alerts().heapRatio()).isEqualTo(0.5);
        assertThat(load("alert_heap_ratio", "1").observability().alerts().heapRatio()).isEqualTo(1.0);
        assertThat(load("alert_heap_ratio", ".75").observability().alerts().heapRatio()).isEqualTo(0.75);
        for (String bad : new String[]{"0", "1.01", "-0.5", "90%", "abc", ""}) {
            assertThatThrownBy(() -> load("alert_heap_ratio", bad)).as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("websocket.alert_heap_ratio")
                    .hasMessageContaining("greater than 0 and at most 1");
        }
    }

    @Test
    void logFormatIsTextOrJsonInAnyCase() {
        assertThat(load("log_format", "JSON").observability().logs().json()).isTrue();
        assertThat(load("log_format", "text").observability().logs().json()).isFalse();
        assertThatThrownBy(() -> load("log_format", "xml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("expected one of text, json");
    }

    @Test
    void theInternalPortIsUnsetWhenEmpty() {
        assertThat(load("internal_port", "").observability().internalPort()).isEmpty();
        assertThat(load("internal_port", "9090").observability().internalPort()).contains(9090);
        assertThat(load("internal_port", "0").observability().internalPort()).contains(0);
        assertThatThrownBy(() -> load("internal_port", "70000"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("between 0 and 65535");
    }

    @Test
    void theWebhookUrlIsHttpOrHttpsWithAHost() {
        assertThat(load("alert_webhook_url", "https://hooks.example.com/a?b=c").observability().alerts().webhookUrl())
                .isEqualTo(Optional.of(URI.create("https://hooks.example.com/a?b=c")));
        assertThat(load("alert_webhook_url", "").observability().alerts().webhookUrl()).isEmpty();
        for (String bad : new String[]{"ftp://example.com", "hooks.example.com", "http://", "http://bad host/"}) {
            assertThatThrownBy(() -> load("alert_webhook_url", bad)).as(bad)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("websocket.alert_webhook_url");
        }
    }
}
