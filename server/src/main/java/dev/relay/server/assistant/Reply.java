package dev.relay.server.assistant;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

import java.util.concurrent.ScheduledFuture;

/**
 * One answer being generated: its message id, the text so far, and the call to the model. The text grows on the
 * generating thread; a timer sends it every {@code assistant_update_interval} if it changed; the last update is sent
 * once, and nothing after it (one monitor orders the three).
 */
final class Reply {
    /** How the assistant's updates leave: the hub's {@code message_update}. */
    interface Updater {
        /** @param state streaming, done, error or cancelled; @param reason for error, else null */
        void send(Reply reply, String text, String state, String reason, boolean last);
    }

    final String id;
    final Question question;
    final ModelClient.Call call = new ModelClient.Call();
    private final int maxLength;
    private final StringBuilder text = new StringBuilder(); // guarded by this
    private boolean changed; // guarded by this
    private boolean finished; // guarded by this
    private volatile boolean timedOut;
    private volatile ScheduledFuture<?> ticks;
    private volatile ScheduledFuture<?> deadline;

    Reply(String id, Question question, int maxLength) {
        this.id = id;
        this.question = question;
        this.maxLength = maxLength;
    }

    /** More text from the model; what goes past the message length limit is dropped (the limit is the server's). */
    synchronized void append(String delta) {
        int room = maxLength - text.length();
        if (room <= 0 || delta.isEmpty()) {
            return;
        }
        text.append(delta, 0, Math.min(room, delta.length()));
        changed = true;
    }

    synchronized String text() {
        return text.toString();
    }

    /** The timer's step: the text so far, if it changed since the last update. */
    synchronized void tick(Updater updater) {
        if (finished || !changed) {
            return;
        }
        changed = false;
        updater.send(this, text.toString(), "streaming", null, false);
    }

    /** The last update; later ticks send nothing. */
    synchronized void finish(Updater updater, Outcome outcome) {
        if (finished) {
            return;
        }
        finished = true;
        stopTimers();
        updater.send(this, text.toString(), outcome.state(), outcome.reason(), true);
    }

    void timers(ScheduledFuture<?> ticks, ScheduledFuture<?> deadline) {
        this.ticks = ticks;
        this.deadline = deadline;
    }

    private void stopTimers() {
        if (ticks != null) {
            ticks.cancel(false);
        }
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    /** {@code assistant_timeout} passed: the call is aborted and the answer ends in error. */
    void timeOut() {
        timedOut = true;
        call.abort();
    }

    boolean timedOut() {
        return timedOut;
    }

    /** The asker or an admin may stop it. */
    void checkMayCancel(String userId, boolean admin) {
        if (!admin && !question.asker().equals(userId)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "only the user who asked, or an admin, may stop this answer");
        }
    }
}
