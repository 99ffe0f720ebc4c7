package dev.relay.core.room;

/** What a caller asks for when creating a room. Name and description are optional. */
public record RoomSpec(String id, String name, String description) {
    public static final int MAX_NAME_LENGTH = 100;
    public static final int MAX_DESCRIPTION_LENGTH = 500;
}
