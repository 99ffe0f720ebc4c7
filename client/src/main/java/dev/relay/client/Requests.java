package dev.relay.client;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Frames sent that await a reply naming them in {@code ref} (resumes, leaves, status, pings, token refreshes), other
 * than messages, which wait in the {@link Outbox}. Touched only on the client's scheduler.
 */
final class Requests {
    enum Kind { RESUME, LEAVE, STATUS, PING, REFRESH }

    /** {@code roomId} for resumes and leaves; {@code future} null when nobody waits for the answer. */
    record Request(Kind kind, String roomId, CompletableFuture<Void> future) {
    }

    private final Map<String, Request> byId = new HashMap<>();

    void add(String id, Request request) {
        byId.put(id, request);
    }

    /** Takes out the request a reply names; null for an unknown or missing ref. */
    Request answered(String ref) {
        return ref == null ? null : byId.remove(ref);
    }

    /**
     * The connection dropped: a leave is done (without a connection the client is in no room), a ping has failed, and
     * resumes and status are sent again on the next connection, so nothing waits for these any more.
     */
    void disconnected(RelayException pingFailure) {
        for (Request pending : byId.values()) {
            switch (pending.kind()) {
                case LEAVE -> pending.future().complete(null);
                case PING -> pending.future().completeExceptionally(pingFailure);
                default -> {
                }
            }
        }
        byId.clear();
    }

    void failAll(Throwable error) {
        byId.values().stream().filter(r -> r.future() != null).forEach(r -> r.future().completeExceptionally(error));
        byId.clear();
    }
}
