package dev.relay.server.observe;

import dev.relay.core.identity.UserIds;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.session.Session;
import dev.relay.server.http.RequestEvents;
import dev.relay.server.websocket.TransportEvents;

/**
 * Turns the events of the core, the transport and the REST side into metrics and activity. Called on event loops;
 * everything here is a counter increment or a short append under one user's lock.
 */
final class ObservingEvents implements HubObserver, TransportEvents, RequestEvents {
    private final Metrics metrics;
    private final ActivityLog activity;

    ObservingEvents(Metrics metrics, ActivityLog activity) {
        this.metrics = metrics;
        this.activity = activity;
    }

    // ---- core ----

    @Override
    public void connected(Session session) {
        activity.record(session.userId(), ActivityEvent.CONNECT, session.id(), null, null,
                session.connection().remoteAddress());
    }

    @Override
    public void joined(Session session, String roomId) {
        activity.record(session.userId(), ActivityEvent.JOIN, session.id(), roomId, null, null);
    }

    @Override
    public void left(Session session, String roomId) {
        activity.record(session.userId(), ActivityEvent.LEAVE, session.id(), roomId, null, null);
    }

    @Override
    public void accepted(String userId, String type, String roomId) {
        metrics.delivered(type);
        activity.record(userId, ActivityEvent.MESSAGE_SENT, null, roomId, null, type);
    }

    @Override
    public void filtered(String userId, boolean rejected) {
        metrics.filtered(rejected);
        activity.record(userId, ActivityEvent.FILTERED, null, null, null, rejected ? "rejected" : "masked");
    }

    @Override
    public void refused(Session session, ErrorCode code) {
        metrics.refused(code);
        if (code == ErrorCode.RATE_LIMITED) {
            activity.record(session.userId(), ActivityEvent.RATE_LIMITED, session.id(), null, null, null);
        } else {
            activity.record(session.userId(), ActivityEvent.REFUSED, session.id(), null, null, code.code());
        }
    }

    @Override
    public boolean timesDeliveries() {
        return metrics.measuresLatency();
    }

    @Override
    public void flushed(int writes, long bytes, long flushedNanos, long[] acceptedNanos, int count) {
        if (metrics.measuresLatency()) {
            for (int i = 0; i < count; i++) {
                metrics.latency(flushedNanos - acceptedNanos[i]);
            }
        }
        metrics.sent(bytes);
        metrics.fannedOut(writes); // last: once a scrape sees these writes, it sees the batch's latencies too
    }

    // ---- transport ----

    @Override
    public void handshakeRefused(String client, ErrorCode code, String detail, String token) {
        metrics.handshakeRefused(switch (code) {
            case UNAUTHORIZED -> "auth";
            case ORIGIN_NOT_ALLOWED -> "origin";
            case IP_FORBIDDEN -> "ip";
            case TOO_MANY_CONNECTIONS -> "limit";
            case ROOM_NOT_FOUND, INVALID_ROOM_ID -> "room";
            case UPGRADE_REQUIRED -> "upgrade";
            default -> "other";
        });
        if (code == ErrorCode.UNAUTHORIZED) {
            authFailure(client, detail);
        }
    }

    @Override
    public void opened(Session session, String client) {
        metrics.connectionOpened();
    }

    @Override
    public void closed(Session session, int code) {
        metrics.connectionClosed(code);
        activity.record(session.userId(), ActivityEvent.DISCONNECT, session.id(), null, code, null);
    }

    @Override
    public void received(String type, int bytes) {
        metrics.received(type, bytes);
    }

    @Override
    public void sent(int bytes) {
        metrics.sent(bytes);
    }

    // ---- REST ----

    @Override
    public void answered(String method, String route, int status, long nanos) {
        metrics.restCall(method, route, status, nanos);
    }

    @Override
    public void unauthorized(String client, String detail, String token) {
        authFailure(client, detail);
    }

    /**
     * Filed under the address the request came from, never under the {@code sub} the refused token claims: anyone can
     * write any {@code sub} into an unsigned token, and used to rewrite that user's activity with failures.
     */
    private void authFailure(String client, String detail) {
        activity.record(UserIds.ADDRESS_PREFIX + client, ActivityEvent.AUTH_FAILURE, null, null, null, detail);
    }
}
