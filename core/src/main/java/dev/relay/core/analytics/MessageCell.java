package dev.relay.core.analytics;

/**
 * One node's count for one minute, kind, room and user: messages sent ({@code room}, {@code private},
 * {@code broadcast}; the room is empty but for room messages) or times the user came online ({@code online}, which
 * makes them active without being a message). The count is the node's total for the cell so far, not an increment.
 *
 * @param minute epoch minute (UTC)
 */
public record MessageCell(long minute, String kind, String roomId, String userId, long count) {
    public static final String ROOM = "room";
    public static final String PRIVATE = "private";
    public static final String BROADCAST = "broadcast";
    public static final String ONLINE = "online";
}
