package dev.relay.core;

import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.protocol.Timestamps;
import dev.relay.core.session.Session;
import dev.relay.core.store.MessageStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * A client's {@code edit_message} and {@code delete_message}. An edit: only the author, only within the edit window,
 * both checked against the kept copy of the message (the store's, not anything the client says), then sent as a
 * {@code message_update} through {@link Updates}, which reaches the same audience on every node and keeps the new
 * text. A delete: the author or a moderator ({@code moderator_roles}), at any time, through {@link Updates#delete}.
 *
 * <p>The lookup may read a database, so it runs on {@code lookups}, never on the connection's event loop; a refusal
 * goes back to the connection's own executor.
 */
final class Edits {
    private final MessageStore store;
    private final Updates updates;
    private final Duration window;
    private final Clock clock;
    private final Executor lookups;
    private final Refusals refusals;
    private final Policies policies;

    /** Sends an {@code error} to the session; called on the session's executor. */
    interface Refusals {
        void refuse(Session session, ProtocolException refused, String ref);
    }

    Edits(MessageStore store, Updates updates, Policies policies, Duration window, Clock clock, Executor lookups,
          Refusals refusals) {
        this.policies = policies;
        this.store = store;
        this.updates = updates;
        this.window = Objects.requireNonNull(window, "window");
        this.clock = clock;
        this.lookups = lookups;
        this.refusals = refusals;
    }

    /** Checks the frame's shape here (cheap), then looks the message up and edits it on {@code lookups}. */
    void edit(Session session, ClientMessage message) {
        String id = targetId(message);
        if (message.content() == null || message.content().isEmpty()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "an edit_message needs the new content");
        }
        run(session, message, id, () -> apply(session, message, id, message.roomId() != null));
    }

    /**
     * A {@code delete_message}: by the author, or by a user with a role in {@code moderator_roles}, with no time
     * limit; the message's audience gets {@code message_deleted} and history keeps only that it was deleted.
     */
    void delete(Session session, ClientMessage message) {
        String id = targetId(message);
        run(session, message, id, () -> {
            ServerMessage original = find(session, message, id);
            boolean own = session.userId().equals(original.from());
            if (!own && !policies.permissions().mayDeleteMessages(session.identity())) {
                throw new ProtocolException(ErrorCode.FORBIDDEN,
                        "only the author or a moderator may delete a message");
            }
            updates.delete(original);
        });
    }

    private void run(Session session, ClientMessage message, String id, Runnable work) {
        if ((message.roomId() != null) == (message.to() != null)) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "a " + message.type() + " needs room_id or to");
        }
        if (store == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no message with the id '" + id + "' is kept here");
        }
        lookups.execute(() -> {
            try {
                work.run();
            } catch (ProtocolException refused) {
                refuseLater(session, refused, message.id());
            } catch (RuntimeException failure) { // the store unreadable: the client may try again
                refuseLater(session, new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                        "the message could not be read; try again"), message.id());
            }
        });
    }

    /**
     * The kept message with this id in the frame's room, or in the conversation of the caller with {@code to}
     * (whoever of the two sent it); a deleted one is gone.
     */
    private ServerMessage find(Session session, ClientMessage message, String id) {
        Optional<ServerMessage> kept = store.message(id);
        boolean inRoom = message.roomId() != null;
        boolean moderator = policies.permissions().mayDeleteMessages(session.identity());
        return kept.filter(m -> inRoom ? message.roomId().equals(m.roomId())
                        : m.roomId() == null && (isBetween(m, session.userId(), message.to())
                        || moderator && (message.to().equals(m.to()) || message.to().equals(m.from()))))
                .filter(m -> !Updates.isDeleted(m))
                .orElseThrow(() -> new ProtocolException(ErrorCode.NOT_FOUND,
                        "no message with the id '" + id + "' in this conversation"));
    }

    private void apply(Session session, ClientMessage message, String id, boolean inRoom) {
        ServerMessage original = find(session, message, id);
        String editor = session.userId();
        if (!editor.equals(original.from())) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "only the author may edit a message");
        }
        Instant now = clock.instant();
        if (now.isAfter(original.timestamp().plus(window))) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "a message may be edited for " + window
                    + " after it was sent");
        }
        RawJson data = new RawJson("{\"edited_at\":\"" + Timestamps.format(now) + "\"}");
        if (inRoom) {
            updates.inRoom(session.identity(), id, original.roomId(), message.content(), data, true);
        } else {
            updates.inConversation(session.identity(), id, original.to(), message.content(), data, true);
        }
    }

    /** A private message the editor sent to {@code to}; one the other side sent is found too, to answer forbidden. */
    private static boolean isBetween(ServerMessage m, String editor, String to) {
        return MessageType.PRIVATE_MESSAGE.equals(m.type())
                && (editor.equals(m.from()) && to.equals(m.to()) || to.equals(m.from()) && editor.equals(m.to()));
    }

    private void refuseLater(Session session, ProtocolException refused, String ref) {
        try {
            session.connection().executor().execute(() -> {
                if (session.isOpen()) {
                    refusals.refuse(session, refused, ref);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            // The connection's loop is gone, and the connection with it: no one is left to tell.
        }
    }

    private static String targetId(ClientMessage message) {
        Object id = message.control().get("id");
        if (!(id instanceof String text) || text.isEmpty()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD,
                    "a " + message.type() + " needs data.id, the message's id");
        }
        return text;
    }
}
