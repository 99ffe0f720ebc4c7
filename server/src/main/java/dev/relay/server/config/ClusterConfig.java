package dev.relay.server.config;

/** Running several nodes together; planned: accepted and checked, no effect yet. */
public record ClusterConfig(boolean enableLoadBalancing, boolean enableMessageQueue) {
}
