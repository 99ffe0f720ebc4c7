package dev.relay.server.cli;

import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.LoadedConfig;
import dev.relay.server.config.RelayConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The options every command shares: where the configuration comes from. */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration file with a 'websocket:' section (see docs/configuration.md).")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set any configuration key, e.g. --set max_connections=500. Overrides the file and WS_* variables.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** Defaults < file < WS_* environment < these command-line settings < {@code extra}. */
    RelayConfig load(Map<String, String> extra) {
        return loadWithValues(extra).config();
    }

    /** As {@link #load}, with every key's value, for a reload to compare; the environment is read anew each time. */
    LoadedConfig loadWithValues(Map<String, String> extra) {
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        overrides.putAll(extra);
        return ConfigLoader.loadWithValues(file, System.getenv(), overrides);
    }
}
