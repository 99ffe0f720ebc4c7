package dev.relay.server.config;

import java.util.stream.Collectors;

/**
 * A YAML file with every key at its default, each under a comment saying what it does and which variable sets it:
 * what {@code defaultconfig} prints, for an operator to copy and edit. Loading it gives the defaults again.
 */
public final class DefaultConfigFile {
    private DefaultConfigFile() {
    }

    public static String render() {
        return ConfigKeys.ALL.stream().map(DefaultConfigFile::entry).collect(Collectors.joining("\n",
                "# Relay configuration: every key at its default (docs/configuration.md explains each).\n"
                        + "# Load with: relay --config relay.yaml. Precedence: defaults < this file < WS_* environment"
                        + " < --set.\n" + YamlFile.SECTION + ":\n", ""));
    }

    private static String entry(ConfigKey<?> key) {
        String planned = key.planned() ? " (accepted, not used yet)" : "";
        return "  # " + key.meaning() + planned + "\n"
                + "  # " + key.type().description() + "; env " + key.environmentVariable() + "\n"
                + "  " + key.name() + ": " + quoted(key.defaultText()) + "\n";
    }

    /** Double-quoted, so YAML reads every default as the text the key's parser expects ("" stays empty). */
    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
