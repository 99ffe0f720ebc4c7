package dev.relay.server.assistant;

import java.time.Instant;

/**
 * A message the assistant answers: in a room ({@code roomId}, with the stream position it took) or privately
 * ({@code roomId} null). {@code text} is the content without the trigger.
 */
record Question(String messageId, String asker, String roomId, String epoch, long seq, String text, Instant at) {
    boolean inRoom() {
        return roomId != null;
    }

    /** What the concurrency limit counts per room; private questions count only in the total. */
    String place() {
        return inRoom() ? roomId : null;
    }
}
