package dev.relay.server.config;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A configuration with the value of every key it was built from, so two loads can say which keys differ (a reload
 * reports what it applied and what needs a restart). Values compare by equality; secrets are compared, never shown.
 */
public record LoadedConfig(RelayConfig config, Map<String, Object> values) {
    public LoadedConfig {
        Objects.requireNonNull(config, "config");
        values = Map.copyOf(values);
    }

    /** The keys whose values differ between the two, sorted. */
    public Set<String> changedFrom(LoadedConfig before) {
        Set<String> changed = new TreeSet<>();
        for (Map.Entry<String, Object> value : values.entrySet()) {
            if (!Objects.equals(value.getValue(), before.values().get(value.getKey()))) {
                changed.add(value.getKey());
            }
        }
        return changed;
    }

    /** The same values with the secret the server generated for itself (see {@link RelayConfig#withJwtSecret}). */
    public LoadedConfig withJwtSecret(String secret) {
        return new LoadedConfig(config.withJwtSecret(secret), values);
    }
}
