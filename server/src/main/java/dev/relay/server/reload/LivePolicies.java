package dev.relay.server.reload;

import dev.relay.core.LiveSettings;
import dev.relay.core.policy.ContentFilter;
import dev.relay.core.policy.KeyedRateLimits;
import dev.relay.server.access.GeoPolicy;
import dev.relay.server.access.IpPolicy;
import dev.relay.server.access.OriginPolicy;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.config.AlertConfig;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.PolicyConfig;
import dev.relay.server.config.RelayConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The policies a reload can replace: built here from a configuration, at startup and again at each reload, so the
 * two cannot differ; and registered with a {@link ConfigReload} as its parts.
 */
public final class LivePolicies {
    /**
     * What a reload changes in a running server.
     *
     * @param alertThresholds takes new alert thresholds (Observability's, which stays out of this package's imports)
     * @param verifiers builds a token verifier for a configuration; what it opens (a JWKS refresher) it adds to the
     *                  list, for the reload to close when that verifier is replaced in turn
     */
    public record Targets(LiveSettings hub, KeyedRateLimits restLimits, IpPolicy ip, OriginPolicy origins,
                          GeoPolicy geo, JwtVerifier verifier,
                          BiFunction<RelayConfig, List<AutoCloseable>, JwtVerifier> verifiers,
                          Consumer<AlertConfig> alertThresholds) {
    }

    private LivePolicies() {
    }

    public static ContentFilter contentFilter(RelayConfig config) {
        return config.messages().enableMessageFilter()
                ? ContentFilter.of(config.policies().filterWords(), config.policies().filterAction())
                : ContentFilter.NONE;
    }

    /** Messages per minute per connection; 0 when the limit is off. */
    public static int rateLimit(RelayConfig config) {
        return config.security().enableRateLimit() ? config.security().rateLimitPerMinute() : 0;
    }

    public static IpPolicy ipPolicy(RelayConfig config) {
        return new IpPolicy(config.security().enableIpWhitelist(), config.security().ipWhitelist(),
                config.security().ipBlacklist());
    }

    public static OriginPolicy originPolicy(RelayConfig config) {
        return new OriginPolicy(config.security().enableOriginCheck(), config.security().allowedOrigins());
    }

    /** @throws ConfigException when countries are listed without a database to place addresses */
    public static GeoPolicy geoPolicy(RelayConfig config) {
        PolicyConfig p = config.policies();
        if (p.geoDatabase().isEmpty() && !(p.geoAllowedCountries().isEmpty() && p.geoDeniedCountries().isEmpty())) {
            // Refusing beats silently not restricting anything.
            throw new ConfigException("websocket.geo_database: geo_allowed_countries or geo_denied_countries is set,"
                    + " which needs a country database; set geo_database to a GeoLite2/GeoIP2 Country .mmdb file");
        }
        return p.geoDatabase().map(database -> GeoPolicy.open(database, Set.copyOf(p.geoAllowedCountries()),
                Set.copyOf(p.geoDeniedCountries()))).orElse(GeoPolicy.off());
    }

    /**
     * Adds every live part to {@code reload}; {@code opened} holds what the starting verifier opened. The answer
     * closes what the verifier in use holds, at shutdown.
     */
    public static AutoCloseable register(ConfigReload reload, Targets t, List<AutoCloseable> opened) {
        reload.add(new ConfigReload.Part(
                List.of("filter_words_file", "filter_words", "filter_action", "enable_message_filter"),
                // The words file's content, read into the configuration, changes without any key changing.
                (before, after) -> !before.policies().filterWords().equals(after.policies().filterWords()),
                next -> t.hub().replaceContentFilter(contentFilter(next))));
        reload.add(ConfigReload.Part.of(List.of("rate_limit_per_minute", "enable_rate_limit"),
                next -> t.hub().setRateLimitPerMinute(rateLimit(next))));
        reload.add(ConfigReload.Part.of(List.of("rest_rate_limit_per_minute"),
                next -> t.restLimits().setPerMinute(next.policies().restRateLimitPerMinute())));
        reload.add(ConfigReload.Part.of(List.of("ip_whitelist", "ip_blacklist", "enable_ip_whitelist"),
                next -> t.ip().adopt(ipPolicy(next))));
        reload.add(ConfigReload.Part.of(List.of("allowed_origins", "enable_origin_check"),
                next -> t.origins().adopt(originPolicy(next))));
        reload.add(new ConfigReload.Part(List.of("geo_database", "geo_allowed_countries", "geo_denied_countries"),
                // Opened again at every reload: a database updated in place (geoipupdate) is taken too.
                (before, after) -> after.policies().geoDatabase().isPresent(),
                next -> t.geo().adopt(geoPolicy(next))));
        List<AutoCloseable> current = new ArrayList<>(opened);
        reload.add(ConfigReload.Part.of(List.of("jwt_secret", "jwt_previous_secrets", "jwt_public_key",
                "jwt_jwks_url", "jwt_jwks_refresh", "jwt_issuer", "jwt_audience", "jwt_clock_skew", "jwt_max_ttl"),
                next -> {
                    List<AutoCloseable> fresh = new ArrayList<>();
                    t.verifier().adopt(t.verifiers().apply(next, fresh));
                    closeAll(current);
                    current.clear();
                    current.addAll(fresh);
                }));
        reload.add(ConfigReload.Part.of(List.of("alert_connections_ratio", "alert_latency_p99", "alert_error_rate",
                "alert_heap_ratio"), next -> t.alertThresholds().accept(next.observability().alerts())));
        reload.add(ConfigReload.Part.of(List.of("log_level"),
                next -> LogLevel.apply(next.observability().logs().level())));
        return () -> {
            synchronized (reload) { // a reload replaces the list under the same lock
                closeAll(current);
            }
        };
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // a JWKS refresher being stopped: nothing to lose
            }
        }
    }
}
