package dev.relay.core;

import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.session.Session;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.store.OfflineDelivery;
import dev.relay.core.store.OfflineMessages;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hands a user's connection the private messages held while they were connected nowhere: on connect (after the
 * welcome), and when a message is held just as the user connects (here or, in a cluster, told by another node).
 */
final class HeldDelivery {
    private final OfflineMessages holder;
    private final UserDirectory users;
    private final Replies replies;

    HeldDelivery(OfflineMessages holder, UserDirectory users, Replies replies) {
        this.holder = holder;
        this.users = users;
        this.replies = replies;
    }

    /** Runs a task on the session's executor; a task for a loop that is gone is dropped, as its connection is. */
    static void onExecutor(Session session, Runnable task) {
        try {
            session.connection().executor().execute(task);
        } catch (RejectedExecutionException shutDown) {
            // the connection went with its loop
        }
    }

    /**
     * Another node (or this one) just held a private message for a user who has connections here: hands what is
     * held to one of them, as on connect. Called when the user connected while the message was being held.
     */
    void toUserHere(String userId) {
        List<Session> sessions = users.sessions(userId);
        if (sessions.isEmpty()) {
            return;
        }
        Session session = sessions.getFirst();
        onExecutor(session, () -> {
            if (session.isOpen()) {
                to(session);
            }
        });
    }

    /**
     * Hands the session what was held for its user while they were offline, after the welcome: an
     * {@code offline_messages} frame with the count, then the messages oldest first. Should the session close before
     * a store answers, the messages are held again for the next connection.
     */
    void to(Session session) {
        if (!holder.enabled()) {
            return;
        }
        CompletableFuture<OfflineDelivery> held = holder.release(session.userId());
        if (held.isDone()) {
            if (!held.isCompletedExceptionally()) {
                sendHeld(session, held.resultNow());
            }
            return;
        }
        held.thenAccept(delivery -> {
            if (delivery.isEmpty()) {
                return;
            }
            try {
                session.connection().executor().execute(() -> {
                    if (session.isOpen()) {
                        sendHeld(session, delivery);
                    } else {
                        delivery.messages().forEach(holder::hold);
                    }
                });
            } catch (RejectedExecutionException shutDown) {
                delivery.messages().forEach(holder::hold);
            }
        });
    }

    private void sendHeld(Session session, OfflineDelivery delivery) {
        if (delivery.isEmpty()) {
            return;
        }
        replies.send(session, replies.reply(MessageType.OFFLINE_MESSAGES, null, null,
                "count", delivery.messages().size(), "dropped", delivery.dropped()));
        for (ServerMessage message : delivery.messages()) {
            replies.send(session, message);
        }
    }

}
