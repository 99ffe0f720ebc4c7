package dev.relay.server.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayConfigDefaultsTest {
    private final RelayConfig defaults = RelayConfig.defaults();

    @Test
    void server() {
        assertThat(defaults.server()).isEqualTo(new ServerConfig("0.0.0.0", 8080, 1024, 1024, Duration.ofSeconds(60),
                Duration.ofSeconds(10), Duration.ofSeconds(10), 8192, true, 10_000, Path.of("logs"),
                Path.of("data"), "auto", new HttpTimeoutConfig(Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(60)), new TlsConfig(Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(10)), true, true));
        assertThat(defaults.server().tls().enabled()).isFalse();
    }

    @Test
    void security() {
        SecurityConfig security = defaults.security();
        assertThat(security.jwtSecret()).isEmpty();
        assertThat(security.enableOriginCheck()).isTrue();
        assertThat(security.allowedOrigins()).isEmpty();
        assertThat(security.enableIpWhitelist()).isFalse();
        assertThat(security.ipWhitelist()).isEmpty();
        assertThat(security.ipBlacklist()).isEmpty();
        assertThat(security.enableRateLimit()).isTrue();
        assertThat(security.rateLimitPerMinute()).isEqualTo(1000);
    }

    @Test
    void rooms() {
        assertThat(defaults.rooms()).isEqualTo(new RoomConfig(true, 100, List.of("general", "announcements", "support")));
    }

    @Test
    void messages() {
        assertThat(defaults.messages()).isEqualTo(new MessageConfig(1000, true, false, 30, true, true,
                java.time.Duration.ofHours(24),
                new PersistenceConfig(java.util.Optional.empty(), false, 1000, 100_000, 64L * 1024 * 1024,
                        java.time.Duration.ZERO, 10_000, 500, java.time.Duration.ofMillis(20))));
    }

    @Test
    void presence() {
        assertThat(defaults.presence()).isEqualTo(new PresenceConfig(true, Duration.ofMinutes(5), true, 1000));
    }

    @Test
    void observability() {
        assertThat(defaults.observability()).isEqualTo(new ObservabilityConfig(true, Duration.ofMinutes(1), true, false,
                new AlertConfig(0.9, Duration.ofMillis(100), 0.05, 0.85, Duration.ofSeconds(15), Optional.empty(),
                        Duration.ofMinutes(5)),
                new LogConfig("text", 50_000_000, 14, 2_000_000_000, 1_000_000_000, "info"), Optional.empty(), false));
    }

    @Test
    void cluster() {
        assertThat(defaults.cluster()).isEqualTo(new ClusterConfig(false, false, "memory",
                java.net.URI.create("redis://127.0.0.1:6379"),
                java.net.URI.create("nats://127.0.0.1:4222"), "relay:", java.util.Optional.empty(),
                java.time.Duration.ofSeconds(30), 0));
    }

    @Test
    void listsCannotBeChanged() {
        assertThatThrownBy(() -> defaults.rooms().defaultRooms().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> defaults.security().allowedOrigins().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void recordsCopyTheListsTheyAreGiven() {
        List<String> rooms = new java.util.ArrayList<>(List.of("a"));
        RoomConfig config = new RoomConfig(true, 10, rooms);
        rooms.add("b");

        assertThat(config.defaultRooms()).containsExactly("a");
    }

    @Test
    void everyKeyHasADefaultItsOwnTypeAccepts() {
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            assertThat(key.defaultValue()).as(key.name()).isNotNull();
        }
    }

    @Test
    void withJwtSecretChecksTheLengthAndChangesOnlyTheSecret() {
        String secret = "s".repeat(32);

        RelayConfig withSecret = defaults.withJwtSecret(secret);

        assertThat(withSecret.security().jwtSecret()).isEqualTo(Optional.of(secret));
        assertThat(withSecret.server()).isEqualTo(defaults.server());
        assertThat(withSecret.security().rateLimitPerMinute()).isEqualTo(defaults.security().rateLimitPerMinute());
        assertThatThrownBy(() -> defaults.withJwtSecret("s".repeat(31)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("websocket.jwt_secret")
                .hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> defaults.withJwtSecret("")).isInstanceOf(ConfigException.class);
    }

    @Test
    void toStringHidesTheSecret() {
        String secret = "top-secret-".repeat(4);

        RelayConfig config = defaults.withJwtSecret(secret);

        assertThat(config.toString()).doesNotContain(secret).contains("jwtSecret=<hidden>");
    }
}
