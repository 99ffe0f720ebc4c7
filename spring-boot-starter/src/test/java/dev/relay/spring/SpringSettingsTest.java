package dev.relay.spring;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How relay.* properties become Relay's configuration keys. */
class SpringSettingsTest {
    private static StandardEnvironment environment(Map<String, Object> high, Map<String, Object> low) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("low", low));
        environment.getPropertySources().addFirst(new MapPropertySource("high", high));
        return environment;
    }

    @Test
    void everySpellingOfAKeyIsRelaysKey() {
        assertThat(SpringSettings.relayKey("relay.port")).isEqualTo("port");
        assertThat(SpringSettings.relayKey("relay.jwt-secret")).isEqualTo("jwt_secret");
        assertThat(SpringSettings.relayKey("relay.jwt_secret")).isEqualTo("jwt_secret");
        assertThat(SpringSettings.relayKey("relay.jwtSecret")).isEqualTo("jwt_secret");
        assertThat(SpringSettings.relayKey("relay.settings.max_connections_per_ip")).isEqualTo("max_connections_per_ip");
    }

    @Test
    void valuesFollowSpringsPrecedenceListsAreJoinedAndTheStartersOwnPropertiesAreLeftOut() {
        Map<String, Object> high = new LinkedHashMap<>();
        high.put("relay.port", "9100");
        high.put("relay.enabled", "true");
        high.put("relay.config-file", "relay.yaml");
        high.put("relay.allowed-origins[1]", "https://b.example");
        high.put("relay.allowed-origins[0]", "https://a.example");
        Map<String, Object> low = Map.of("relay.port", "9000", "relay.settings.log_dir", "/var/log/relay",
                "server.port", "8080");

        Map<String, String> overrides = SpringSettings.overrides(environment(high, low));

        assertThat(overrides).containsExactlyInAnyOrderEntriesOf(Map.of("port", "9100",
                "allowed_origins", "https://a.example,https://b.example", "log_dir", "/var/log/relay"));
        assertThat(SpringSettings.configFile(environment(high, low))).contains(Path.of("relay.yaml"));
        assertThat(SpringSettings.configFile(environment(Map.of(), Map.of()))).isEmpty();
    }

    @Test
    void oneKeyGivenTwiceIsRefused() {
        assertThatThrownBy(() -> SpringSettings.overrides(environment(
                Map.of("relay.jwt-secret", "a"), Map.of("relay.settings.jwt_secret", "b"))))
                .hasMessageContaining("jwt_secret").hasMessageContaining("twice");
    }
}
