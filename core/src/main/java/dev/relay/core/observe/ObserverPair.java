package dev.relay.core.observe;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.session.Session;

/** Two observers told everything, the first one first: metrics next to the event stream. */
record ObserverPair(HubObserver first, HubObserver second) implements HubObserver {
    @Override
    public void connected(Session session) {
        first.connected(session);
        second.connected(session);
    }

    @Override
    public void joined(Session session, String roomId) {
        first.joined(session, roomId);
        second.joined(session, roomId);
    }

    @Override
    public void left(Session session, String roomId) {
        first.left(session, roomId);
        second.left(session, roomId);
    }

    @Override
    public void accepted(String userId, String type, String roomId) {
        first.accepted(userId, type, roomId);
        second.accepted(userId, type, roomId);
    }

    @Override
    public void filtered(String userId, boolean rejected) {
        first.filtered(userId, rejected);
        second.filtered(userId, rejected);
    }

    @Override
    public void refused(Session session, ErrorCode code) {
        first.refused(session, code);
        second.refused(session, code);
    }

    @Override
    public boolean timesDeliveries() {
        return first.timesDeliveries() || second.timesDeliveries();
    }

    @Override
    public void flushed(int writes, long bytes, long flushedNanos, long[] acceptedNanos, int count) {
        first.flushed(writes, bytes, flushedNanos, acceptedNanos, count);
        second.flushed(writes, bytes, flushedNanos, acceptedNanos, count);
    }

    @Override
    public void roomCreated(String roomId, String userId) {
        first.roomCreated(roomId, userId);
        second.roomCreated(roomId, userId);
    }

    @Override
    public void roomDeleted(String roomId, String userId) {
        first.roomDeleted(roomId, userId);
        second.roomDeleted(roomId, userId);
    }

    @Override
    public void occupancy(String roomId, boolean occupied) {
        first.occupancy(roomId, occupied);
        second.occupancy(roomId, occupied);
    }

    @Override
    public void membership(String userId, String roomId, boolean joined) {
        first.membership(userId, roomId, joined);
        second.membership(userId, roomId, joined);
    }

    @Override
    public void presence(String userId, boolean online) {
        first.presence(userId, online);
        second.presence(userId, online);
    }

    @Override
    public void statusChosen(String userId, String status) {
        first.statusChosen(userId, status);
        second.statusChosen(userId, status);
    }

    @Override
    public void statusAutomatic(String userId, String status) {
        first.statusAutomatic(userId, status);
        second.statusAutomatic(userId, status);
    }

    @Override
    public void messageAccepted(ServerMessage message) {
        first.messageAccepted(message);
        second.messageAccepted(message);
    }
}
