/**
 * The server's configuration: one registry of keys ({@code ConfigKeys}) read from defaults, a YAML file,
 * {@code WS_*} environment variables and command-line overrides into the immutable {@link
 * dev.relay.server.config.RelayConfig}. docs/configuration.md is the user's side of the same list.
 */
package dev.relay.server.config;
