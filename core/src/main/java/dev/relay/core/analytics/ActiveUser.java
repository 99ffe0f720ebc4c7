package dev.relay.core.analytics;

/**
 * A user who connected or sent on a day.
 *
 * @param day epoch day (UTC)
 */
public record ActiveUser(long day, String userId) {
}
