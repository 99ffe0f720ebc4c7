package dev.relay.core.event;

/**
 * What one listener's queue has done since the start: events handed to it, events dropped because its queue was
 * full, and events it threw on. Counters only grow.
 */
public record ListenerStats(String listener, long delivered, long dropped, long failed, int queued) {
}
