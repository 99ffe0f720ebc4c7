package dev.relay.server.config;

/**
 * One key of a loaded configuration as {@code checkconfig} shows it: its value as written (secrets and database
 * passwords hidden) and where that value came from (default, a file and line, a {@code WS_*} variable, the command
 * line).
 */
public record EffectiveSetting(String key, String environmentVariable, String value, String source) {
}
