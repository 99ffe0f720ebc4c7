package dev.relay.spring;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The application's {@code relay.*} properties as Relay's configuration keys, the overrides of
 * {@link dev.relay.server.config.ConfigLoader} (so every key, check and error message is Relay's own):
 * {@code relay.port} and {@code relay.settings.port} are {@code port}; {@code relay.jwt-secret},
 * {@code relay.jwt_secret} and {@code relay.jwtSecret} are all {@code jwt_secret}; a YAML list
 * ({@code relay.allowed-origins: [a, b]}) becomes Relay's comma-separated list. Relay rejects an unknown key with a
 * suggestion, and one key given twice (say {@code relay.port} and {@code relay.settings.port}).
 *
 * <p>Read from the property sources' raw names on purpose: Spring's relaxed binding would strip the underscores from
 * map keys ({@code relay.settings.jwt_secret} would become {@code jwtsecret}).
 */
final class SpringSettings {
    static final String PREFIX = "relay.";
    static final String SETTINGS = "settings.";
    /** The starter's own properties, not Relay keys. */
    static final String ENABLED = "relay.enabled";
    static final String CONFIG_FILE = "relay.config-file";
    private static final List<String> OWN = List.of("enabled", "config-file", "config_file", "configFile");
    private static final Pattern INDEXED = Pattern.compile("^(.*)\\[(\\d+)]$");
    private static final Pattern CAMEL = Pattern.compile("([a-z0-9])([A-Z])");

    private SpringSettings() {
    }

    /** Relay key to value, in the syntax of Relay's environment variables. */
    static Map<String, String> overrides(ConfigurableEnvironment environment) {
        // Names as the sources spell them; each value is then asked of the environment, so precedence is Spring's.
        Set<String> names = new LinkedHashSet<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    if (name.startsWith(PREFIX) && !OWN.contains(name.substring(PREFIX.length()))) {
                        names.add(name);
                    }
                }
            }
        }
        Map<String, String> scalars = new TreeMap<>();
        Map<String, TreeMap<Integer, String>> lists = new TreeMap<>();
        for (String name : names) {
            String value = environment.getProperty(name);
            if (value == null) {
                continue;
            }
            Matcher indexed = INDEXED.matcher(name);
            if (indexed.matches()) {
                lists.computeIfAbsent(relayKey(indexed.group(1)), key -> new TreeMap<>())
                        .put(Integer.parseInt(indexed.group(2)), value);
            } else {
                put(scalars, relayKey(name), value, name);
            }
        }
        lists.forEach((key, items) -> put(scalars, key, String.join(",", items.values()), PREFIX + key));
        return scalars;
    }

    private static void put(Map<String, String> settings, String key, String value, String name) {
        if (settings.putIfAbsent(key, value) != null) {
            throw new IllegalStateException(name + ": Relay's setting '" + key + "' is given twice under relay.*"
                    + " (relay." + key + ", relay.settings." + key + " or another spelling); keep one");
        }
    }

    /** {@code relay.settings.jwt_secret}, {@code relay.jwt-secret}, {@code relay.jwtSecret}: {@code jwt_secret}. */
    static String relayKey(String propertyName) {
        String key = propertyName.substring(PREFIX.length());
        if (key.startsWith(SETTINGS)) {
            key = key.substring(SETTINGS.length());
        }
        return CAMEL.matcher(key).replaceAll("$1_$2").replace('-', '_').toLowerCase(Locale.ROOT);
    }

    /** {@code relay.config-file}: a Relay YAML file read first (its {@code websocket:} section), when set. */
    static Optional<Path> configFile(ConfigurableEnvironment environment) {
        return Optional.ofNullable(environment.getProperty(CONFIG_FILE)).filter(file -> !file.isBlank())
                .map(Path::of);
    }
}
