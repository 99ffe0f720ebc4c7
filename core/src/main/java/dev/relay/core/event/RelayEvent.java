package dev.relay.core.event;

import dev.relay.core.protocol.Timestamps;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something that happened in the hub, as listeners see it. Each kind has a stable wire {@link #name()} (what webhooks
 * and exporters send as {@code name}) and {@link #fields()}, its JSON-ready form: {@code name} first, then the ids,
 * then {@code timestamp}. Names and field names are a public contract: add fields, never rename them.
 */
public sealed interface RelayEvent {
    /** The wire name, e.g. {@code member_joined}. */
    String name();

    /** When the hub saw it happen. */
    Instant at();

    /** The event as ordered JSON-ready values: {@code {"name":"member_joined","room_id":..,"user_id":..,..}}. */
    default Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", name());
        addIds(fields);
        fields.put("timestamp", Timestamps.format(at()));
        return fields;
    }

    /** Puts this kind's own fields, between {@code name} and {@code timestamp}. */
    void addIds(Map<String, Object> fields);

    /** A room was created, by {@code userId}; once per cluster, by the node that created it. */
    record RoomCreated(String roomId, String userId, Instant at) implements RelayEvent {
        public String name() {
            return "room_created";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("room_id", roomId);
            fields.put("user_id", userId);
        }
    }

    /** A room was deleted (closed), by {@code userId}; once per cluster, by the node that deleted it. */
    record RoomDeleted(String roomId, String userId, Instant at) implements RelayEvent {
        public String name() {
            return "room_deleted";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("room_id", roomId);
            fields.put("user_id", userId);
        }
    }

    /** The first user entered a room nobody was in. */
    record RoomOccupied(String roomId, Instant at) implements RelayEvent {
        public String name() {
            return "room_occupied";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("room_id", roomId);
        }
    }

    /** The last user left a room (not counted when the room itself is deleted: that is {@code room_deleted}). */
    record RoomVacated(String roomId, Instant at) implements RelayEvent {
        public String name() {
            return "room_vacated";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("room_id", roomId);
        }
    }

    /**
     * A user became a member of a room (join_room, a resume or connect into a room they were not a member of, the
     * REST join); once per membership change, by the node where it was asked.
     */
    record MemberJoined(String roomId, String userId, Instant at) implements RelayEvent {
        public String name() {
            return "member_joined";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("room_id", roomId);
            fields.put("user_id", userId);
        }
    }

    /** A user stopped being a member of a room (leave_room, the REST leave); disconnecting is not leaving. */
    record MemberLeft(String roomId, String userId, Instant at) implements RelayEvent {
        public String name() {
            return "member_left";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("room_id", roomId);
            fields.put("user_id", userId);
        }
    }

    /** The user's first connection arrived. */
    record UserOnline(String userId, Instant at) implements RelayEvent {
        public String name() {
            return "user_online";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("user_id", userId);
        }
    }

    /** The user's last connection closed. */
    record UserOffline(String userId, Instant at) implements RelayEvent {
        public String name() {
            return "user_offline";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("user_id", userId);
        }
    }

    /**
     * The user's status changed: chosen with a {@code status} message ({@code online}, {@code away}, {@code busy};
     * {@code automatic} false), or set by the idle timeout ({@code away}) and activity ({@code online}),
     * {@code automatic} true, once per cluster where nodes share activity.
     */
    record UserStatusChanged(String userId, String status, boolean automatic, Instant at) implements RelayEvent {
        public String name() {
            return "user_status";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("user_id", userId);
            fields.put("status", status);
            fields.put("automatic", automatic);
        }
    }

    /** A room message was accepted with its final place in the room's stream. */
    record RoomMessage(String messageId, String roomId, String userId, long seq, String epoch, String content,
                       Instant at) implements RelayEvent {
        public String name() {
            return "room_message";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("room_id", roomId);
            fields.put("user_id", userId);
            fields.put("message_id", messageId);
            fields.put("seq", seq);
            fields.put("epoch", epoch);
            fields.put("content", content);
        }
    }

    /** A private message from {@code userId} to {@code to} was accepted (delivered, or held for their return). */
    record PrivateMessage(String messageId, String userId, String to, String content, Instant at)
            implements RelayEvent {
        public String name() {
            return "private_message";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("user_id", userId);
            fields.put("to", to);
            fields.put("message_id", messageId);
            fields.put("content", content);
        }
    }

    /** A broadcast was accepted. */
    record Broadcast(String messageId, String userId, String content, Instant at) implements RelayEvent {
        public String name() {
            return "broadcast";
        }

        public void addIds(Map<String, Object> fields) {
            fields.put("user_id", userId);
            fields.put("message_id", messageId);
            fields.put("content", content);
        }
    }
}
