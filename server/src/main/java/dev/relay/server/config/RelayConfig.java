package dev.relay.server.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the server can be configured with, grouped by concern. Built by {@link ConfigLoader}, which checks
 * every value; docs/configuration.md explains each setting.
 */
public record RelayConfig(ServerConfig server, SecurityConfig security, RoomConfig rooms, MessageConfig messages,
                          PresenceConfig presence, ObservabilityConfig observability, ClusterConfig cluster,
                          DeliveryConfig delivery, PolicyConfig policies, IntegrationConfig integrations,
                          AssistantConfig assistant, AnalyticsConfig analytics) {
    public RelayConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(rooms, "rooms");
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(observability, "observability");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(policies, "policies");
        Objects.requireNonNull(integrations, "integrations");
        Objects.requireNonNull(assistant, "assistant");
        Objects.requireNonNull(analytics, "analytics");
    }

    /** The documented defaults, as if no file, environment variable or override were given. */
    public static RelayConfig defaults() {
        return ConfigLoader.load(null, Map.of(), Map.of());
    }

    /**
     * A copy with the given JWT secret, for a server that generates one because none was configured.
     *
     * @throws ConfigException if the secret is shorter than 32 bytes in UTF-8
     */
    public RelayConfig withJwtSecret(String secret) {
        Objects.requireNonNull(secret, "secret");
        Optional<String> checked = ConfigKeys.JWT_SECRET.parse(new RawValue.Scalar(secret),
                new Source("given to withJwtSecret"));
        if (checked.isEmpty()) {
            throw new ConfigException(ConfigKeys.JWT_SECRET.path() + " (given to withJwtSecret): "
                    + ValueTypes.Secret.EXPECTED + ", not an empty string");
        }
        SecurityConfig s = security;
        return new RelayConfig(server, new SecurityConfig(checked, s.enableOriginCheck(), s.allowedOrigins(),
                s.enableIpWhitelist(), s.ipWhitelist(), s.ipBlacklist(), s.enableRateLimit(), s.rateLimitPerMinute(),
                s.jwt()),
                rooms, messages, presence, observability, cluster, delivery, policies, integrations, assistant,
                analytics);
    }
}
