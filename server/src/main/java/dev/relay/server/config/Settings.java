package dev.relay.server.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.relay.server.config.ConfigKeys.*;

/** The value of every key so far, with where it came from; later sources overwrite earlier ones. */
final class Settings {
    private record Setting(Object value, RawValue raw, Source source) {
    }

    private final Map<ConfigKey<?>, Setting> settings = new HashMap<>();

    static Settings defaults() {
        Settings defaults = new Settings();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            defaults.settings.put(key, new Setting(key.defaultValue(), new RawValue.Scalar(key.defaultText()),
                    Source.DEFAULT));
        }
        return defaults;
    }

    /** Reads the value now, so a bad value is reported even when a later source overrides it. */
    void set(ConfigKey<?> key, RawValue raw, Source source) {
        settings.put(key, new Setting(key.parse(raw, source), raw, source));
    }

    <T> T get(ConfigKey<T> key) {
        @SuppressWarnings("unchecked") // set() stores only what key.parse returned, which is a T
        T value = (T) settings.get(key).value();
        return value;
    }

    /** Every key's value as read (an empty optional or list where unset), by key name. */
    Map<String, Object> values() {
        Map<String, Object> values = new HashMap<>();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            values.put(key.name(), settings.get(key).value());
        }
        return values;
    }

    /** Every key in the documented order, its value as written (secrets hidden) and its source. */
    List<EffectiveSetting> effective() {
        return ConfigKeys.ALL.stream().map(key -> {
            Setting setting = settings.get(key);
            return new EffectiveSetting(key.name(), key.environmentVariable(), key.type().display(setting.raw()),
                    setting.source().toString());
        }).toList();
    }

    RelayConfig toConfig() {
        checkDefaultRoomsFit();
        checkWaitNeedsOneMaster();
        return new RelayConfig(
                new ServerConfig(get(HOST), get(PORT), get(READ_BUFFER_SIZE), get(WRITE_BUFFER_SIZE),
                        get(PING_PERIOD), get(PONG_WAIT), get(WRITE_WAIT), get(MAX_MESSAGE_SIZE),
                        get(ENABLE_COMPRESSION), get(MAX_CONNECTIONS), get(LOG_DIR), get(DATA_DIR),
                        get(TRANSPORT),
                        new HttpTimeoutConfig(get(HTTP_HEADER_TIMEOUT), get(HTTP_BODY_TIMEOUT), get(HTTP_IDLE_TIMEOUT)),
                        tls(), get(ENABLE_STOMP), get(ENABLE_SOCKETIO)),
                new SecurityConfig(get(JWT_SECRET), get(ENABLE_ORIGIN_CHECK), get(ALLOWED_ORIGINS),
                        get(ENABLE_IP_WHITELIST), get(IP_WHITELIST), get(IP_BLACKLIST), get(ENABLE_RATE_LIMIT),
                        get(RATE_LIMIT_PER_MINUTE), jwtConfig()),
                new RoomConfig(get(ENABLE_ROOM_LIMIT), get(MAX_ROOMS), get(DEFAULT_ROOMS)),
                new MessageConfig(get(MAX_MESSAGE_LENGTH), get(ENABLE_MESSAGE_FILTER),
                        get(ENABLE_MESSAGE_PERSISTENCE), get(MESSAGE_RETENTION_DAYS), get(ENABLE_MESSAGE_BROADCAST),
                        get(ENABLE_PRIVATE_MESSAGING), get(EDIT_WINDOW),
                        new PersistenceConfig(get(DATABASE_URL), get(ACK_AFTER_PERSIST), get(OFFLINE_MAX_MESSAGES),
                                get(OFFLINE_MAX_TOTAL_MESSAGES), get(OFFLINE_MAX_TOTAL_BYTES), get(OFFLINE_TTL),
                                get(PERSISTENCE_QUEUE_SIZE), get(PERSISTENCE_BATCH_SIZE),
                                get(PERSISTENCE_BATCH_DELAY))),
                new PresenceConfig(get(ENABLE_USER_STATUS), get(USER_STATUS_TIMEOUT), get(ENABLE_USER_PRESENCE),
                        get(PRESENCE_MAX_ROOM_USERS)),
                new ObservabilityConfig(get(ENABLE_STATISTICS), get(STATISTICS_INTERVAL),
                        get(ENABLE_PERFORMANCE_METRICS), get(ENABLE_ALERTS),
                        new AlertConfig(get(ALERT_CONNECTIONS_RATIO), get(ALERT_LATENCY_P99), get(ALERT_ERROR_RATE),
                                get(ALERT_HEAP_RATIO), get(ALERT_CHECK_INTERVAL), get(ALERT_WEBHOOK_URL),
                                get(ALERT_WEBHOOK_COOLDOWN)),
                        new LogConfig(get(LOG_FORMAT), get(LOG_MAX_FILE_SIZE), get(LOG_RETENTION_DAYS),
                                get(LOG_TOTAL_SIZE_CAP), get(AUDIT_TOTAL_SIZE_CAP), get(LOG_LEVEL)),
                        get(INTERNAL_PORT), get(INTERNAL_ADMIN)),
                new ClusterConfig(get(ENABLE_LOAD_BALANCING), get(ENABLE_MESSAGE_QUEUE), get(ENGINE), get(REDIS_URL),
                        get(NATS_URL), get(REDIS_KEY_PREFIX), get(NODE_ID), get(PRESENCE_TTL),
                        get(REDIS_WAIT_REPLICAS)),
                new DeliveryConfig(get(HISTORY_SIZE), get(HISTORY_TTL), get(RECOVERY_MAX_MESSAGES), get(DEDUP_WINDOW),
                        get(MAX_PENDING_BYTES), get(SHUTDOWN_TIMEOUT)),
                policies(), integrations(), assistant(),
                new AnalyticsConfig(get(ANALYTICS_ENABLED), get(ANALYTICS_MAX_KEYS_PER_MINUTE),
                        get(ANALYTICS_MAX_USERS_PER_DAY), get(ANALYTICS_FLUSH_INTERVAL), get(ANALYTICS_RETENTION_DAYS)));
    }

    private IntegrationConfig integrations() {
        return new IntegrationConfig(get(WEBHOOKS),
                new ProxyConfig(get(PROXY_CONNECT_URL), get(PROXY_CONNECT_TIMEOUT), get(PROXY_CONNECT_HEADERS),
                        get(PROXY_CONNECT_FAIL_OPEN)),
                get(PROXY_CONNECT_MODE),
                new ProxyConfig(get(PROXY_PUBLISH_URL), get(PROXY_PUBLISH_TIMEOUT), get(PROXY_PUBLISH_HEADERS),
                        get(PROXY_PUBLISH_FAIL_OPEN)),
                new ProxyConfig(get(PROXY_RPC_URL), get(PROXY_RPC_TIMEOUT), get(PROXY_RPC_HEADERS),
                        false)); // an rpc has no answer without its backend: there is nothing to fail open to
    }

    /** A certificate and its key come together; a client CA means nothing without them. */
    private TlsConfig tls() {
        Optional<Path> cert = get(TLS_CERT_FILE);
        Optional<Path> key = get(TLS_KEY_FILE);
        if (cert.isPresent() != key.isPresent()) {
            ConfigKey<?> missing = cert.isPresent() ? TLS_KEY_FILE : TLS_CERT_FILE;
            ConfigKey<?> given = cert.isPresent() ? TLS_CERT_FILE : TLS_KEY_FILE;
            throw new ConfigException(missing.path() + ": required when " + given.path() + " is set ("
                    + settings.get(given).source() + ")");
        }
        if (get(TLS_CLIENT_CA).isPresent() && cert.isEmpty()) {
            throw new ConfigException(TLS_CLIENT_CA.path() + " (" + settings.get(TLS_CLIENT_CA).source()
                    + "): needs tls_cert_file and tls_key_file, since client certificates are asked for over TLS");
        }
        return new TlsConfig(cert, key, get(TLS_CLIENT_CA), get(TLS_RELOAD_INTERVAL));
    }

    private AssistantConfig assistant() {
        return new AssistantConfig(get(ASSISTANT_ENABLED), get(ASSISTANT_BASE_URL),
                get(ASSISTANT_API_KEY), get(ASSISTANT_MODEL), get(ASSISTANT_USER_ID), get(ASSISTANT_NAME),
                get(ASSISTANT_ROOMS), get(ASSISTANT_TRIGGER), get(ASSISTANT_SYSTEM_PROMPT),
                get(ASSISTANT_CONTEXT_MESSAGES), get(ASSISTANT_MAX_TOKENS), get(ASSISTANT_TIMEOUT),
                get(ASSISTANT_RATE_PER_USER), get(ASSISTANT_MAX_CONCURRENT), get(ASSISTANT_UPDATE_INTERVAL));
    }

    private PolicyConfig policies() {
        return new PolicyConfig(get(REST_RATE_LIMIT_PER_MINUTE), filterWords(), get(FILTER_ACTION),
                get(MAX_CONNECTIONS_PER_USER), get(MAX_CONNECTIONS_PER_IP), get(MAX_CONNECTS_PER_IP_PER_MINUTE),
                get(TRUSTED_PROXIES), get(CREATE_ROOM_ROLES), get(BROADCAST_ROLES), get(PRIVATE_MESSAGE_ROLES),
                geoDatabase(), get(GEO_ALLOWED_COUNTRIES), get(GEO_DENIED_COUNTRIES), get(DELETE_ROOM_ROLES),
                get(MODERATOR_ROLES));
    }

    /** The database must be readable; that the country lists have one is checked when the service starts. */
    private Optional<Path> geoDatabase() {
        Optional<Path> database = get(GEO_DATABASE);
        if (database.isPresent() && !Files.isReadable(database.get())) {
            Setting setting = settings.get(GEO_DATABASE);
            throw new ConfigException(GEO_DATABASE.path() + " = " + setting.raw().display() + " ("
                    + setting.source() + "): cannot read the file");
        }
        return database;
    }

    /** filter_words plus the lines of filter_words_file (blank lines and lines starting with # skipped). */
    private List<String> filterWords() {
        List<String> words = new ArrayList<>(get(FILTER_WORDS));
        Optional<Path> file = get(FILTER_WORDS_FILE);
        if (file.isPresent()) {
            try {
                Files.readAllLines(file.get()).stream().map(String::strip)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(words::add);
            } catch (IOException | UncheckedIOException e) {
                Setting setting = settings.get(FILTER_WORDS_FILE);
                throw new ConfigException(FILTER_WORDS_FILE.path() + " = " + setting.raw().display() + " ("
                        + setting.source() + "): cannot read the file (" + e.getMessage() + ")");
            }
        }
        return List.copyOf(words);
    }

    private JwtConfig jwtConfig() {
        if (get(JWT_PUBLIC_KEY).isPresent() && get(JWT_JWKS_URL).isPresent()) {
            throw new ConfigException(JWT_JWKS_URL.path() + " (" + settings.get(JWT_JWKS_URL).source() + "): "
                    + JWT_PUBLIC_KEY.path() + " is set too; tokens are checked with one or the other, so set only one");
        }
        return new JwtConfig(get(JWT_CLOCK_SKEW), get(JWT_ISSUER), get(JWT_AUDIENCE), get(JWT_PUBLIC_KEY),
                get(JWT_JWKS_URL), get(JWT_JWKS_REFRESH), get(JWT_MAX_TTL), get(JWT_PREVIOUS_SECRETS));
    }

    /** Default rooms are real rooms, so with the limit on they must fit under it or startup could never succeed. */
    /** WAIT covers the writes of one connection to one master; a Redis Cluster spreads them over several. */
    private void checkWaitNeedsOneMaster() {
        Setting wait = settings.get(REDIS_WAIT_REPLICAS);
        String scheme = get(REDIS_URL).getScheme().toLowerCase(java.util.Locale.ROOT);
        if (get(REDIS_WAIT_REPLICAS) > 0 && scheme.endsWith("-cluster")) {
            throw new ConfigException(REDIS_WAIT_REPLICAS.path() + " = " + wait.raw().display() + " (" + wait.source()
                    + "): expected 0 with a Redis Cluster redis_url; waiting for replicas needs one server or"
                    + " Sentinels (redis:// or redis-sentinel://)");
        }
    }

    private void checkDefaultRoomsFit() {
        List<String> rooms = get(DEFAULT_ROOMS);
        int maxRooms = get(MAX_ROOMS);
        if (!get(ENABLE_ROOM_LIMIT) || rooms.size() <= maxRooms) {
            return;
        }
        // Blame whichever of the two the user changed; if both, max_rooms, the one more likely set by mistake.
        Setting max = settings.get(MAX_ROOMS);
        if (!max.source().equals(Source.DEFAULT)) {
            throw new ConfigException(MAX_ROOMS.path() + " = " + max.raw().display() + " (" + max.source() + "):"
                    + " expected at least " + rooms.size() + ", the number of default_rooms, which count toward"
                    + " the room limit");
        }
        Setting defaults = settings.get(DEFAULT_ROOMS);
        throw new ConfigException(DEFAULT_ROOMS.path() + " = " + defaults.raw().display() + " (" + defaults.source()
                + "): expected at most " + maxRooms + " rooms (max_rooms), because default rooms count toward the"
                + " room limit");
    }
}
