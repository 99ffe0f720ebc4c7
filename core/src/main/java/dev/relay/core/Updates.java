package dev.relay.core;

import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.codec.Encoder;
import dev.relay.core.delivery.Audience;
import dev.relay.core.identity.Identity;
import dev.relay.core.policy.MessageRules;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.store.MessageSink;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Replaces a sent message's content and data by id and tells the same audience with a {@code message_update}: the
 * room's members on every node, or both sides of a private conversation on every node. The resume history of each
 * node takes every update (so a resume replays the newest text); the {@link MessageSink} takes only those meant to
 * last ({@code keep}), such as the final text of a streaming answer, so a database is not written for every step.
 *
 * <p>The content passes the content filter and the length rule, as the message's did. Who may update which message
 * is the caller's decision: this is the server's own API (the assistant updates its own replies); a client-facing
 * edit will check authorship before calling it. Safe from any thread; never blocks.
 */
public final class Updates {
    private final RoomRegistry rooms;
    private final UserDirectory users;
    private final Policies policies;
    private final MessageRules rules;
    private final Routing routing;
    private final MessageSink sink;
    private final Encoder encoder;
    private final Clock clock;

    Updates(RoomRegistry rooms, UserDirectory users, Policies policies, MessageRules rules, Routing routing,
            MessageSink sink, Encoder encoder, Clock clock) {
        this.rooms = rooms;
        this.users = users;
        this.policies = policies;
        this.rules = rules;
        this.routing = routing;
        this.sink = sink;
        this.encoder = encoder;
        this.clock = clock;
    }

    /**
     * Updates message {@code messageId} of room {@code roomId}, sent by {@code editor}. Returns the frame as sent
     * (content filtered). Throws {@code room_not_found}, {@code filtered} or {@code message_too_long}.
     *
     * @param data the new data ({@link dev.relay.core.protocol.RawJson} to be kept by a database), or null
     * @param keep whether the store keeps this text (the last update of a series), or only the recipients see it
     */
    public ServerMessage inRoom(Identity editor, String messageId, String roomId, String content, Object data,
                                boolean keep) {
        Objects.requireNonNull(messageId, "messageId");
        Room room = rooms.require(roomId);
        String checked = check(new ClientMessage(MessageType.ROOM_MESSAGE, null, content, roomId, null, null));
        ServerMessage update = new ServerMessage(messageId, MessageType.MESSAGE_UPDATE, editor.userId(), null,
                roomId, checked, data, clock.instant());
        EncodedFrame frame = encoder.encode(update);
        try {
            routing.updateInRoom(room, update, frame);
        } finally {
            frame.release();
        }
        if (keep) {
            sink.updated(update);
        }
        return update;
    }

    /**
     * Updates private message {@code messageId} that {@code editor} sent to {@code to}: both users' connections here
     * and on the other nodes get the frame.
     */
    public ServerMessage inConversation(Identity editor, String messageId, String to, String content, Object data,
                                        boolean keep) {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(to, "to");
        String checked = check(new ClientMessage(MessageType.PRIVATE_MESSAGE, null, content, null, to, null));
        ServerMessage update = new ServerMessage(messageId, MessageType.MESSAGE_UPDATE, editor.userId(), to, null,
                checked, data, clock.instant());
        toConversation(update);
        if (keep) {
            sink.updated(update);
        }
        return update;
    }

    /**
     * Deletes message {@code original} (a room or private message, as kept): its content goes from history, search
     * and the resume history, which keep {@link #DELETED} as its data, and its audience on every node receives
     * {@code message_deleted}. Who may delete is the caller's decision.
     */
    public ServerMessage delete(ServerMessage original) {
        ServerMessage deleted = new ServerMessage(original.id(), MessageType.MESSAGE_DELETED, original.from(),
                original.to(), original.roomId(), null, new RawJson(DELETED), clock.instant());
        if (original.roomId() != null) {
            Room room = rooms.require(original.roomId());
            EncodedFrame frame = encoder.encode(deleted);
            try {
                routing.updateInRoom(room, deleted, frame);
            } finally {
                frame.release();
            }
        } else {
            toConversation(deleted);
        }
        sink.updated(deleted);
        return deleted;
    }

    /** Whether a kept message has been deleted (its data is the marker {@link #delete} left). */
    public static boolean isDeleted(ServerMessage kept) {
        return kept.data() instanceof RawJson raw && DELETED.equals(raw.json());
    }

    /** The data a deleted message keeps instead of its own, so history can say it was deleted. */
    public static final String DELETED = "{\"deleted\":true}";

    /** Both users of a private conversation ({@code from} and {@code to}), here and on the other nodes. */
    private void toConversation(ServerMessage update) {
        String from = update.from();
        String to = update.to();
        List<Audience> audiences = new ArrayList<>(2);
        users.audience(to).ifPresent(audiences::add);
        users.audience(from).filter(own -> !audiences.contains(own)).ifPresent(audiences::add);
        if (!audiences.isEmpty()) {
            EncodedFrame frame = encoder.encode(update);
            try {
                Audience.deliverToUnion(frame, audiences, null); // like an event: lost to a full lane, not refused
            } finally {
                frame.release();
            }
        }
        routing.toUserElsewhere(to, update);
        if (!to.equals(from)) {
            routing.toUserElsewhere(from, update);
        }
    }

    /** The filtered content; empty content is allowed (an answer that has not started yet). */
    private String check(ClientMessage message) {
        ClientMessage filtered = policies.contentFilter().apply(message);
        if (filtered.content() != null && !filtered.content().isEmpty()) {
            rules.checkBody(filtered);
        }
        return filtered.content() == null ? "" : filtered.content();
    }

    static ProtocolException notFound(String replyId) {
        return new ProtocolException(ErrorCode.NOT_FOUND, "nothing being generated has the id '" + replyId + "'");
    }
}
