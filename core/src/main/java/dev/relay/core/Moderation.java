package dev.relay.core;

import dev.relay.core.delivery.Slot;
import dev.relay.core.identity.Identity;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.Session;
import dev.relay.core.session.UserDirectory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** What admins do to others: close rooms and disconnect users. Kept apart from the message path of {@link Hub}. */
final class Moderation {
    private final RoomRegistry rooms;
    private final UserDirectory users;
    private final Policies policies;
    private final Replies replies;
    private final Clock clock;
    private final HubObserver observer;

    Moderation(RoomRegistry rooms, UserDirectory users, Policies policies, Replies replies, Clock clock,
               HubObserver observer) {
        this.rooms = rooms;
        this.users = users;
        this.policies = policies;
        this.replies = replies;
        this.clock = clock;
        this.observer = observer;
    }

    /** The hub has checked who may; this takes the room away and tells its members. */
    CompletableFuture<Integer> closeRoom(Identity actor, Room room) {
        rooms.remove(room);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("by", actor.userId());
        ServerMessage closed = ServerMessage.event(MessageType.ROOM_CLOSED, room.id(), data, clock.instant());
        // Membership can be read only on each session's own executor, so every session is visited there, one task
        // per executor. Closing a room is a rare act of an admin; the message path pays nothing for it.
        Map<Executor, List<Session>> byExecutor = new HashMap<>();
        users.forEachSession(session ->
                byExecutor.computeIfAbsent(session.connection().executor(), e -> new ArrayList<>()).add(session));
        List<CompletableFuture<Integer>> sweeps = byExecutor.entrySet().stream()
                .map(entry -> CompletableFuture.supplyAsync(() -> evict(entry.getValue(), room, closed),
                        entry.getKey()))
                .toList();
        return CompletableFuture.allOf(sweeps.toArray(CompletableFuture[]::new))
                .thenApply(done -> sweeps.stream().mapToInt(CompletableFuture::join).sum());
    }

    /**
     * Runs on the executor that owns {@code sessions}. Mirrors {@link Membership#exit}, the hub's own leaving of a
     * room, less the {@code user_left} announcement: whatever bookkeeping that gains must be done here too.
     */
    private int evict(List<Session> sessions, Room room, ServerMessage closed) {
        int evicted = 0;
        for (Session session : sessions) {
            Slot slot = session.isIn(room.id()) ? session.exit(room.id()) : null;
            if (slot == null) {
                continue;
            }
            // The room itself is going: no user_left, but the user's own list of rooms must forget it.
            room.leave(slot, session.userId(), () -> users.leftRoom(session.userId(), room.id()));
            observer.left(session, room.id());
            if (session.isOpen()) {
                replies.send(session, closed);
            }
            evicted++;
        }
        return evicted;
    }

    int disconnectUser(Identity actor, String userId, CloseReason reason) {
        if (!policies.permissions().mayModerate(actor)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "only admins may disconnect users");
        }
        List<Session> sessions = users.sessions(userId);
        sessions.forEach(session -> session.connection().close(reason));
        return sessions.size();
    }
}
