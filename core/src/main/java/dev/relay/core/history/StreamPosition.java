package dev.relay.core.history;

/**
 * A place in a room's message stream. {@code seq} counts the room's messages from 1; {@code epoch} names one
 * unbroken run of them, and changes whenever a room's history starts afresh (so seq numbers never get compared
 * across two runs).
 */
public record StreamPosition(String epoch, long seq) {
}
