package dev.relay.core.testing;

import dev.relay.core.cluster.Broker;
import dev.relay.core.protocol.ServerMessage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** What a node's hub would have been handed by its broker, for engine tests to assert on. */
public final class RecordingInbound implements Broker.Inbound {
    public final List<ServerMessage> rooms = new CopyOnWriteArrayList<>();
    public final List<ServerMessage> users = new CopyOnWriteArrayList<>();
    public final List<ServerMessage> broadcasts = new CopyOnWriteArrayList<>();
    public final List<ServerMessage> roomEvents = new CopyOnWriteArrayList<>();
    public final AtomicInteger reconnects = new AtomicInteger();

    @Override
    public void roomMessage(ServerMessage placed) {
        rooms.add(placed);
    }

    @Override
    public void roomEvent(ServerMessage event) {
        roomEvents.add(event);
    }

    @Override
    public void userMessage(String userId, ServerMessage message) {
        users.add(message);
    }

    @Override
    public void broadcast(ServerMessage message) {
        broadcasts.add(message);
    }

    @Override
    public void reconnected() {
        reconnects.incrementAndGet();
    }
}
