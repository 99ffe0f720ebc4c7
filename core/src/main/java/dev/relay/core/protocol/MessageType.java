package dev.relay.core.protocol;

/** The {@code type} values of the JSON protocol, in one place. */
public final class MessageType {
    // sent by clients
    public static final String ROOM_MESSAGE = "room_message";
    public static final String PRIVATE_MESSAGE = "private_message";
    public static final String BROADCAST = "broadcast";
    public static final String JOIN_ROOM = "join_room";
    public static final String LEAVE_ROOM = "leave_room";
    public static final String PING = "ping";
    public static final String RESUME = "resume";
    public static final String STATUS = "status";
    public static final String REFRESH = "refresh";
    /** Stops an answer being generated ({@code data.id}: the reply's message id); see docs/assistant.md. */
    public static final String CANCEL = "cancel";
    /** The author replaces a message's content ({@code data.id}), within the edit window; see docs/protocol.md. */
    public static final String EDIT_MESSAGE = "edit_message";
    /** The author, or a moderator, deletes a message ({@code data.id}); see docs/protocol.md. */
    public static final String DELETE_MESSAGE = "delete_message";
    /**
     * The user is typing in {@code room_id} or to {@code to}; sent by clients, and by the server (with {@code from})
     * to the others. Never stored or acked; see docs/protocol.md.
     */
    public static final String TYPING = "typing";
    /** An admin asks for the {@link #ANALYTICS} frame every second; answered by the server, not the hub. */
    public static final String SUBSCRIBE_ANALYTICS = "subscribe_analytics";
    public static final String UNSUBSCRIBE_ANALYTICS = "unsubscribe_analytics";

    /** Client types whose {@code data} the server reads (see {@link ClientMessage#control()}). */
    public static boolean isControl(String type) {
        return RESUME.equals(type) || REFRESH.equals(type) || CANCEL.equals(type) || EDIT_MESSAGE.equals(type)
                || DELETE_MESSAGE.equals(type);
    }

    // sent by the server only
    public static final String WELCOME = "welcome";
    public static final String PONG = "pong";
    public static final String JOINED = "joined";
    public static final String LEFT = "left";
    public static final String USER_JOINED = "user_joined";
    public static final String USER_LEFT = "user_left";
    /** The room was closed by an admin; the connection is no longer in it. */
    public static final String ROOM_CLOSED = "room_closed";
    public static final String ERROR = "error";
    public static final String ACK = "ack";
    public static final String RESUMED = "resumed";
    public static final String PRESENCE = "presence";
    public static final String RECONNECT = "reconnect";
    public static final String TOKEN_EXPIRING = "token_expiring";
    public static final String REFRESHED = "refreshed";
    /** Before the private messages held while the user was offline: how many follow and how many were dropped. */
    public static final String OFFLINE_MESSAGES = "offline_messages";
    /**
     * A message's content and data replaced, by its {@code id}, for the same audience as the message (a streaming
     * answer growing, later an edit): not part of the room's stream, no {@code seq}.
     */
    public static final String MESSAGE_UPDATE = "message_update";
    /**
     * Message {@code id} was deleted, for the same audience as the message; history keeps it with
     * {@code data.deleted: true} and no content. Not part of the room's stream.
     */
    public static final String MESSAGE_DELETED = "message_deleted";
    /** The overview of the last minute, every second, to admins who subscribed. */
    public static final String ANALYTICS = "analytics";

    private MessageType() {
    }
}
