package dev.relay.client;

/**
 * Someone came, went or changed status in a room.
 *
 * @param type   {@code user_joined}, {@code user_left} or {@code presence}
 * @param roomId the room
 * @param userId the user
 * @param name   the display name, for {@code user_joined} and {@code user_left}; null for {@code presence}
 * @param status for {@code presence}: {@code online}, {@code away}, {@code busy} or {@code offline}; null otherwise
 */
public record Presence(String type, String roomId, String userId, String name, String status) {
}
