package dev.relay.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Messages sent and not yet acknowledged, in the order they were sent, at most {@code limit} of them. Those sent
 * while disconnected wait here; those written to a connection that dropped before their ack are written again, with
 * the same id, on the next one (the server recognises the retry and does not deliver it twice). Touched only on the
 * client's scheduler.
 */
final class Outbox {
    private final int limit;
    private final Map<String, Pending> pending = new LinkedHashMap<>();

    static final class Pending {
        final String id;
        final String json;
        final CompletableFuture<Ack> future;
        Scheduler.Cancellable timeout;

        Pending(String id, String json, CompletableFuture<Ack> future) {
            this.id = id;
            this.json = json;
            this.future = future;
        }
    }

    Outbox(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the pending-message limit must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    boolean isFull() {
        return pending.size() >= limit;
    }

    void add(Pending message) {
        pending.put(message.id, message);
    }

    /** Takes the message out (acknowledged, refused or timed out); null when it is no longer here. */
    Pending remove(String id) {
        Pending message = pending.remove(id);
        if (message != null && message.timeout != null) {
            message.timeout.cancel();
        }
        return message;
    }

    List<Pending> inOrder() {
        return new ArrayList<>(pending.values());
    }

    int size() {
        return pending.size();
    }

    void failAll(Throwable error) {
        for (Pending message : inOrder()) {
            remove(message.id);
            message.future.completeExceptionally(error);
        }
    }
}
