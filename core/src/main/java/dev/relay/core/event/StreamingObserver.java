package dev.relay.core.event;

import dev.relay.core.observe.HubObserver;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;

import java.time.Clock;

/**
 * Turns the hub's observer hooks into {@link RelayEvent}s on an {@link EventStream}. Each hook builds one event and
 * offers it: no lock, no wait, one allocation per event (never per recipient). Metrics do not go through here: a
 * counter incremented in place is cheaper than an event queued for it, and is never dropped.
 *
 * <p>Room occupancy and online/offline come already decided for the cluster: the hub reports them from this node's
 * counts on a single node, and from the shared stores' answers in a cluster (only the node whose change was the
 * cluster's transition hears it), so each is emitted here as told.
 */
public final class StreamingObserver implements HubObserver {
    private final EventStream stream;
    private final Clock clock;

    public StreamingObserver(EventStream stream, Clock clock) {
        this.stream = stream;
        this.clock = clock;
    }

    @Override
    public void roomCreated(String roomId, String userId) {
        emit(new RelayEvent.RoomCreated(roomId, userId, clock.instant()));
    }

    @Override
    public void roomDeleted(String roomId, String userId) {
        emit(new RelayEvent.RoomDeleted(roomId, userId, clock.instant()));
    }

    @Override
    public void occupancy(String roomId, boolean occupied) {
        emit(occupied ? new RelayEvent.RoomOccupied(roomId, clock.instant())
                : new RelayEvent.RoomVacated(roomId, clock.instant()));
    }

    @Override
    public void membership(String userId, String roomId, boolean joined) {
        emit(joined ? new RelayEvent.MemberJoined(roomId, userId, clock.instant())
                : new RelayEvent.MemberLeft(roomId, userId, clock.instant()));
    }

    @Override
    public void presence(String userId, boolean online) {
        emit(online ? new RelayEvent.UserOnline(userId, clock.instant())
                : new RelayEvent.UserOffline(userId, clock.instant()));
    }

    @Override
    public void statusChosen(String userId, String status) {
        emit(new RelayEvent.UserStatusChanged(userId, status, false, clock.instant()));
    }

    @Override
    public void statusAutomatic(String userId, String status) {
        emit(new RelayEvent.UserStatusChanged(userId, status, true, clock.instant()));
    }

    @Override
    public void messageAccepted(ServerMessage message) {
        if (stream.isEmpty()) {
            return;
        }
        switch (message.type()) {
            case MessageType.ROOM_MESSAGE -> stream.publish(new RelayEvent.RoomMessage(message.id(), message.roomId(),
                    message.from(), message.seq() == null ? 0 : message.seq(), message.epoch(), message.content(),
                    message.timestamp()));
            case MessageType.PRIVATE_MESSAGE -> stream.publish(new RelayEvent.PrivateMessage(message.id(),
                    message.from(), message.to(), message.content(), message.timestamp()));
            case MessageType.BROADCAST -> stream.publish(new RelayEvent.Broadcast(message.id(), message.from(),
                    message.content(), message.timestamp()));
            default -> {
            }
        }
    }

    private void emit(RelayEvent event) {
        stream.publish(event);
    }
}
