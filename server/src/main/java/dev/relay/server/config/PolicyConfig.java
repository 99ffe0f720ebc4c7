package dev.relay.server.config;

/**
 * Abuse limits and content rules beyond the basic security settings.
 *
 * @param restRateLimitPerMinute REST requests per minute per user; 0 turns the limit off
 */
public record PolicyConfig(int restRateLimitPerMinute) {
}
