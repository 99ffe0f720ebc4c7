package dev.relay.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a {@link RelayConfig} from, in rising precedence: the defaults, the {@code websocket:} section of a YAML
 * file, {@code WS_*} environment variables and command-line overrides. Every value is checked; the first problem
 * stops loading with a one-line {@link ConfigException}.
 */
public final class ConfigLoader {
    private static final String ENV_PREFIX = "WS_";
    /** Variables the test suite reads (e.g. WS_TEST_REQUIRE_SERVICES): not settings, and not worth a warning. */
    private static final String TEST_PREFIX = "WS_TEST_";

    private ConfigLoader() {
    }

    /**
     * @param file      a YAML file, or null to read none
     * @param env       the environment, usually {@code System.getenv()}; only {@code WS_} + key names are read
     * @param overrides key to value, e.g. {@code port -> 9000} from {@code --port 9000} or {@code --set port=9000};
     *                  values use the environment's syntax. A key may also be written {@code websocket.port}.
     * @throws ConfigException naming the first bad key or value, or a missing or malformed file
     */
    public static RelayConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        return read(file, env, overrides).toConfig();
    }

    /** Loads like {@link #load}, keeping every key's value beside the configuration, for a reload to compare. */
    public static LoadedConfig loadWithValues(Path file, Map<String, String> env, Map<String, String> overrides) {
        Settings settings = read(file, env, overrides);
        return new LoadedConfig(settings.toConfig(), settings.values());
    }

    /**
     * Every key's value and where it came from, as {@link #load} would use them; throws {@link ConfigException} where
     * {@code load} would, so a configuration that lists cleanly also starts.
     */
    public static List<EffectiveSetting> effective(Path file, Map<String, String> env, Map<String, String> overrides) {
        Settings settings = read(file, env, overrides);
        settings.toConfig();
        return settings.effective();
    }

    private static Settings read(Path file, Map<String, String> env, Map<String, String> overrides) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(overrides, "overrides");
        Settings settings = Settings.defaults();
        if (file != null) {
            for (YamlFile.Entry entry : YamlFile.read(file)) {
                settings.set(known(entry.name(), entry.source()), entry.value(), entry.source());
            }
        }
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            String value = env.get(key.environmentVariable());
            if (value != null) {
                settings.set(key, new RawValue.Scalar(value), Source.environment(key.environmentVariable()));
            }
        }
        // Sorted so that which of two clashing spellings is reported does not depend on the map's order.
        Set<ConfigKey<?>> overridden = new HashSet<>();
        for (Map.Entry<String, String> override : new TreeMap<>(overrides).entrySet()) {
            String name = override.getKey().startsWith(YamlFile.SECTION + ".")
                    ? override.getKey().substring(YamlFile.SECTION.length() + 1)
                    : override.getKey();
            ConfigKey<?> key = known(name, Source.COMMAND_LINE);
            if (!overridden.add(key)) {
                throw new ConfigException(key.path() + " (" + Source.COMMAND_LINE + "): given twice");
            }
            settings.set(key, new RawValue.Scalar(Objects.requireNonNull(override.getValue(), override.getKey())),
                    Source.COMMAND_LINE);
        }
        return settings;
    }

    /**
     * The {@code WS_*} variables that are not settings, each as a warning with a guess at what was meant, e.g.
     * {@code WS_PROT is not a Relay setting; did you mean WS_PORT?}. They are not errors because other tools share
     * the prefix; variables starting with {@code WS_TEST_} belong to the test suite and are left out.
     */
    public static List<String> unknownEnvironmentVariables(Map<String, String> env) {
        List<String> variables = ConfigKeys.ALL.stream().map(ConfigKey::environmentVariable).toList();
        List<String> warnings = new ArrayList<>();
        for (String name : new TreeMap<>(env).keySet()) {
            if (name.startsWith(ENV_PREFIX) && !name.startsWith(TEST_PREFIX) && !variables.contains(name)) {
                // Compared without the shared prefix, which would otherwise make every name look close.
                String guess = Suggestions.closest(name.substring(ENV_PREFIX.length()), ConfigKeys.names())
                        .map(key -> "; did you mean " + ENV_PREFIX + key.toUpperCase(Locale.ROOT) + "?")
                        .orElse("");
                warnings.add(name + " is not a Relay setting" + guess);
            }
        }
        return List.copyOf(warnings);
    }

    private static ConfigKey<?> known(String name, Source source) {
        return ConfigKeys.byName(name).orElseThrow(() -> new ConfigException(YamlFile.SECTION + "." + name + " ("
                + source + "): unknown key" + Suggestions.closest(name, ConfigKeys.names())
                .map(guess -> "; did you mean " + guess + "?")
                .orElse("; docs/configuration.md lists the keys")));
    }
}
