package dev.relay.server.stomp;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

/**
 * A STOMP destination as Relay reads it: a room ({@code /topic/rooms.{room_id}}), the user's private messages
 * ({@code /user/queue/messages}) or broadcasts ({@code /topic/broadcast}) to subscribe to; a room
 * ({@code /app/rooms.{room_id}}) or a user ({@code /app/users.{user_id}}) to send to. Room and user ids are checked
 * by the hub like any other.
 */
record Destination(Kind kind, String target) {
    enum Kind { ROOM, PRIVATE, BROADCAST, TO_ROOM, TO_USER }

    static final String ROOM_TOPIC = "/topic/rooms.";
    static final String PRIVATE_QUEUE = "/user/queue/messages";
    static final String BROADCAST_TOPIC = "/topic/broadcast";
    static final String SEND_ROOM = "/app/rooms.";
    static final String SEND_USER = "/app/users.";

    static Destination subscription(String destination) {
        if (destination == null || destination.isEmpty()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "SUBSCRIBE needs a 'destination' header");
        }
        if (destination.startsWith(ROOM_TOPIC) && destination.length() > ROOM_TOPIC.length()) {
            return new Destination(Kind.ROOM, destination.substring(ROOM_TOPIC.length()));
        }
        if (destination.equals(PRIVATE_QUEUE)) {
            return new Destination(Kind.PRIVATE, null);
        }
        if (destination.equals(BROADCAST_TOPIC)) {
            return new Destination(Kind.BROADCAST, null);
        }
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "cannot subscribe to '" + destination + "': subscribe to "
                + ROOM_TOPIC + "{room_id}, " + PRIVATE_QUEUE + " or " + BROADCAST_TOPIC);
    }

    static Destination send(String destination) {
        if (destination == null || destination.isEmpty()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "SEND needs a 'destination' header");
        }
        if (destination.startsWith(SEND_ROOM) && destination.length() > SEND_ROOM.length()) {
            return new Destination(Kind.TO_ROOM, destination.substring(SEND_ROOM.length()));
        }
        if (destination.startsWith(SEND_USER) && destination.length() > SEND_USER.length()) {
            return new Destination(Kind.TO_USER, destination.substring(SEND_USER.length()));
        }
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "cannot send to '" + destination + "': send to "
                + SEND_ROOM + "{room_id} or " + SEND_USER + "{user_id}");
    }

    /** The destination's name in MESSAGE frames. */
    String name() {
        return switch (kind) {
            case ROOM -> ROOM_TOPIC + target;
            case PRIVATE -> PRIVATE_QUEUE;
            case BROADCAST -> BROADCAST_TOPIC;
            case TO_ROOM -> SEND_ROOM + target;
            case TO_USER -> SEND_USER + target;
        };
    }
}
