package dev.relay.server.config;

import dev.relay.server.access.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void fileOverridesDefaults() throws IOException {
        Path file = yaml("""
                websocket:
                  port: 9001
                  ping_period: 30s
                  max_message_size: 64KiB
                  enable_compression: false
                  max_connections: 50
                  default_rooms: [lobby, "help:desk"]
                """);

        RelayConfig config = ConfigLoader.load(file, Map.of(), Map.of());

        assertThat(config.server().port()).isEqualTo(9001);
        assertThat(config.server().pingPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.server().maxMessageSize()).isEqualTo(65_536);
        assertThat(config.server().enableCompression()).isFalse();
        assertThat(config.server().maxConnections()).isEqualTo(50);
        assertThat(config.rooms().defaultRooms()).containsExactly("lobby", "help:desk");
        assertThat(config.server().host()).as("untouched keys keep their default").isEqualTo("0.0.0.0");
    }

    @Test
    void theSeedsSectionLoads() throws IOException {
        Path file = yaml("""
                websocket:
                  read_buffer_size: 1024
                  write_buffer_size: 1024
                  ping_period: 60s
                  pong_wait: 10s
                  write_wait: 10s
                  max_message_size: 512
                  enable_compression: true
                  max_connections: 10000
                  enable_rate_limit: true
                  rate_limit_per_minute: 1000
                  enable_ip_whitelist: false
                  enable_origin_check: true
                  enable_room_limit: true
                  max_rooms: 100
                  default_rooms:
                    - "general"
                    - "announcements"
                    - "support"
                  enable_message_persistence: false
                  message_retention_days: 30
                  max_message_length: 1000
                  enable_message_filter: true
                  enable_user_status: true
                  user_status_timeout: 5m
                  enable_user_presence: true
                  enable_statistics: true
                  statistics_interval: 1m
                  enable_performance_metrics: true
                  enable_alerts: false
                  enable_load_balancing: false
                  enable_message_queue: false
                  enable_message_broadcast: true
                  enable_private_messaging: true
                """);

        RelayConfig config = ConfigLoader.load(file, Map.of(), Map.of());

        assertThat(config.server().maxMessageSize()).as("the seed's own 512 is honoured when written").isEqualTo(512);
        assertThat(config.rooms()).isEqualTo(RelayConfig.defaults().rooms());
        assertThat(config.presence()).isEqualTo(RelayConfig.defaults().presence());
    }

    @Test
    void environmentOverridesFile() throws IOException {
        Path file = yaml("""
                websocket:
                  port: 9001
                  host: 127.0.0.1
                """);

        RelayConfig config = ConfigLoader.load(file, Map.of("WS_PORT", "9002"), Map.of());

        assertThat(config.server().port()).isEqualTo(9002);
        assertThat(config.server().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void overridesWinOverEnvironmentAndFile() throws IOException {
        Path file = yaml("""
                websocket:
                  port: 9001
                  max_rooms: 7
                """);

        RelayConfig config = ConfigLoader.load(file, Map.of("WS_PORT", "9002", "WS_MAX_ROOMS", "8"),
                Map.of("port", "9003"));

        assertThat(config.server().port()).isEqualTo(9003);
        assertThat(config.rooms().maxRooms()).isEqualTo(8);
    }

    @Test
    void overrideKeysMayCarryTheSectionName() {
        RelayConfig config = ConfigLoader.load(null, Map.of(), Map.of("websocket.port", "0"));

        assertThat(config.server().port()).isZero();
    }

    @Test
    void sameKeyTwiceOnTheCommandLineIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("port", "1", "websocket.port", "2")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("websocket.port (from command line): given twice");
    }

    @Test
    void listsFromTheEnvironmentAreCommaSeparatedAndTrimmed() {
        RelayConfig config = ConfigLoader.load(null, Map.of(
                "WS_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:3000 ,",
                "WS_IP_BLACKLIST", "10.0.0.0/8,::1",
                "WS_DEFAULT_ROOMS", "lobby"), Map.of());

        assertThat(config.security().allowedOrigins()).containsExactly("https://app.example.com", "http://localhost:3000");
        assertThat(config.security().ipBlacklist()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1"));
        assertThat(config.rooms().defaultRooms()).containsExactly("lobby");
    }

    @Test
    void emptyStringIsAnEmptyList() {
        RelayConfig config = ConfigLoader.load(null, Map.of("WS_DEFAULT_ROOMS", ""), Map.of());

        assertThat(config.rooms().defaultRooms()).isEmpty();
    }

    @Test
    void listsFromYamlMayBeSequencesOrCommaSeparatedScalars() throws IOException {
        Path file = yaml("""
                websocket:
                  ip_whitelist:
                    - 192.168.0.0/16
                    - 2001:db8::/32
                  ip_blacklist: "10.0.0.0/8, 172.16.0.0/12"
                  allowed_origins: []
                """);

        RelayConfig config = ConfigLoader.load(file, Map.of(), Map.of());

        assertThat(config.security().ipWhitelist()).extracting(Cidr::toString)
                .containsExactly("192.168.0.0/16", "2001:db8::/32");
        assertThat(config.security().ipBlacklist()).extracting(Cidr::toString)
                .containsExactly("10.0.0.0/8", "172.16.0.0/12");
        assertThat(config.security().allowedOrigins()).isEmpty();
    }

    @Test
    void originsAreStoredAsBrowsersSendThem() {
        RelayConfig config = ConfigLoader.load(null, Map.of(),
                Map.of("allowed_origins", "HTTPS://App.Example.com:443/,http://localhost:3000,*"));

        assertThat(config.security().allowedOrigins())
                .containsExactly("https://app.example.com", "http://localhost:3000", "*");
    }

    @Test
    void booleansIgnoreCaseAndAcceptYamlBooleans() throws IOException {
        Path file = yaml("""
                websocket:
                  enable_compression: False
                  enable_alerts: yes
                """);

        RelayConfig config = ConfigLoader.load(file, Map.of("WS_ENABLE_RATE_LIMIT", "FALSE"), Map.of());

        assertThat(config.server().enableCompression()).isFalse();
        assertThat(config.observability().enableAlerts()).isTrue();
        assertThat(config.security().enableRateLimit()).isFalse();
    }

    @Test
    void emptyFileGivesDefaults() throws IOException {
        assertThat(ConfigLoader.load(yaml(""), Map.of(), Map.of())).isEqualTo(RelayConfig.defaults());
        assertThat(ConfigLoader.load(yaml("# nothing yet\n"), Map.of(), Map.of())).isEqualTo(RelayConfig.defaults());
    }

    @Test
    void emptySectionGivesDefaults() throws IOException {
        assertThat(ConfigLoader.load(yaml("websocket:\n"), Map.of(), Map.of())).isEqualTo(RelayConfig.defaults());
        assertThat(ConfigLoader.load(yaml("websocket: {}\n"), Map.of(), Map.of())).isEqualTo(RelayConfig.defaults());
    }

    @Test
    void anEmptySecretMeansUnset() throws IOException {
        Path file = yaml("websocket:\n  jwt_secret: \"" + "k".repeat(40) + "\"\n");

        RelayConfig fromFile = ConfigLoader.load(file, Map.of(), Map.of());
        RelayConfig unset = ConfigLoader.load(file, Map.of("WS_JWT_SECRET", ""), Map.of());

        assertThat(fromFile.security().jwtSecret()).contains("k".repeat(40));
        assertThat(unset.security().jwtSecret()).isEmpty();
    }

    @Test
    void unknownWsVariablesAreReportedNotThrown() {
        Map<String, String> env = Map.of(
                "WS_PORT", "9000",
                "WS_MAX_CONECTIONS", "5",
                "WS_SOMETHING_ELSE", "x",
                "WS_prot", "1",
                "WS_URL", "ws://localhost",
                "WS_TEST_REQUIRE_SERVICES", "true",
                "PATH", "/usr/bin");

        RelayConfig config = ConfigLoader.load(null, env, Map.of());
        var warnings = ConfigLoader.unknownEnvironmentVariables(env);

        assertThat(config.server().port()).isEqualTo(9000);
        assertThat(config.server().maxConnections()).isEqualTo(10_000);
        assertThat(warnings).containsExactly(
                "WS_MAX_CONECTIONS is not a Relay setting; did you mean WS_MAX_CONNECTIONS?",
                "WS_SOMETHING_ELSE is not a Relay setting",
                "WS_URL is not a Relay setting",
                "WS_prot is not a Relay setting; did you mean WS_PORT?");
    }

    @Test
    void everyKeyCanBeSetFromEachSourceAndReachesTheConfig() throws IOException {
        RelayConfig defaults = RelayConfig.defaults();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            String sample = sampleFor(key);
            Path file = yaml("websocket:\n  " + key.name() + ": \"" + sample + "\"\n");
            // Keys that only make sense with others (a TLS key with its certificate) get those from the command line.
            Map<String, String> companions = companionsOf(key.name());
            Map<String, String> cli = new java.util.HashMap<>(companions);
            cli.put(key.name(), sample);

            RelayConfig fromCli = ConfigLoader.load(null, Map.of(), cli);
            RelayConfig fromEnv = ConfigLoader.load(null, Map.of(key.environmentVariable(), sample), companions);
            RelayConfig fromFile = ConfigLoader.load(file, Map.of(), companions);

            assertThat(fromCli).as(key.name() + " changes the config").isNotEqualTo(defaults);
            assertThat(fromEnv).as(key.name() + " from the environment").isEqualTo(fromCli);
            assertThat(fromFile).as(key.name() + " from the file").isEqualTo(fromCli);
        }
    }

    private static Map<String, String> companionsOf(String key) {
        String pem = wordsFile().toString(); // the loader checks paths only; the files are read when the server starts
        return switch (key) {
            case "tls_cert_file" -> Map.of("tls_key_file", pem);
            case "tls_key_file" -> Map.of("tls_cert_file", pem);
            case "tls_client_ca" -> Map.of("tls_cert_file", pem, "tls_key_file", pem);
            default -> Map.of();
        };
    }

    private static String sampleFor(ConfigKey<?> key) {
        return switch (key.type().description()) {
            case "bool" -> key.defaultText().equals("true") ? "false" : "true";
            case "duration" -> "90s";
            case "size" -> "2KiB";
            case "string" -> "127.0.0.1";
            case "path" -> "/var/relay/" + key.name();
            case "secret" -> "0123456789abcdef0123456789abcdef";
            case "list of secrets" -> "0123456789abcdef0123456789abcdef,fedcba9876543210fedcba9876543210";
            case "error or warn or info or debug or trace" -> "debug";
            case "list of room ids" -> "lobby,news";
            case "list of CIDRs" -> "10.0.0.0/8,::1";
            case "list of origins" -> "https://app.example.com";
            case "number 0..1" -> "0.5";
            case "URL" -> key.name().equals("redis_url") ? "redis://cache.example.com:6380"
                    : key.name().equals("nats_url") ? "nats://nats.example.com:4223" : "https://hooks.example.com/relay";
            case "memory or redis or nats" -> "redis";
            case "text or json" -> "json";
            case "auto or epoll or io_uring or nio" -> "io_uring";
            case "PEM or path" -> publicKeyFile().toString();
            case "file path" -> wordsFile().toString();
            case "mask or reject" -> "reject";
            case "list of country codes" -> "FR,US";
            case "JDBC URL" -> "jdbc:postgresql://db.example:5432/relay?user=relay";
            case "list of webhooks" -> "[{url: 'https://hooks.example.com/r', secret: k, events: [user_online]}]";
            case "list of header names" -> "Cookie,X-Tenant";
            case "always or without_valid_jwt" -> "without_valid_jwt";
            default -> key.name().equals("port") ? "0" : "7";
        };
    }

    private static Path wordsFile() {
        try {
            Path file = Files.createTempFile("relay-words", ".txt");
            file.toFile().deleteOnExit();
            return Files.writeString(file, "spam\n# a comment\n\neggs\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PEM file with an EC public key, written once: the sample for jwt_public_key. */
    private static Path publicKeyFile() {
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            Path file = Files.createTempFile("relay-key", ".pem");
            file.toFile().deleteOnExit();
            return Files.writeString(file, dev.relay.server.auth.PemKeys.toPem(generator.generateKeyPair().getPublic()));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path yaml(String text) throws IOException {
        Path file = Files.createTempFile(dir, "relay", ".yaml");
        Files.writeString(file, text);
        return file;
    }
}
