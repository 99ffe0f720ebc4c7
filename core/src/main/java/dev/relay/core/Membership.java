package dev.relay.core;

import dev.relay.core.delivery.Slot;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.policy.MessageRules;
import dev.relay.core.policy.RoomAccess;
import dev.relay.core.presence.Presence;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Resumption;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.Session;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's way into and out of rooms: the {@code join_room}, {@code leave_room} and {@code resume} control
 * messages, and the {@link #enter}/{@link #exit} steps the {@link Hub} also uses on connect, disconnect and for the
 * admin API. Keeping every entry and exit here means the room, the session, presence and the observer are always
 * updated together. Every method runs on the session's executor, which owns its rooms. A join, resume or leave also
 * records or ends the user's {@link RoomMemberships membership}; a connection's exit (a disconnect) does not end it.
 */
final class Membership {
    private final HubSettings settings;
    private final MessageRules rules;
    private final RoomRegistry rooms;
    private final RoomAccess roomAccess;
    private final Presence presence;
    private final RoomMemberships memberships;
    private final HubObserver observer;
    /**
     * Told when this node's first or last user of a room is the room's: the observer on one node; nobody in a
     * cluster, where the shared room presence decides and tells the one node whose change it was (see Hub's wiring of
     * RoomPresence.LocalRooms).
     */
    private final HubObserver roomTransitions;
    private final Replies replies;
    private final Clock clock;
    /** In a cluster, follows a room on this node only while a connection here is in it, or a resume waits for it. */
    private final Routing routing;

    Membership(HubSettings settings, MessageRules rules, RoomRegistry rooms, RoomAccess roomAccess, Presence presence,
               RoomMemberships memberships, HubObserver observer, HubObserver roomTransitions, Replies replies,
               Clock clock, Routing routing) {
        this.routing = routing;
        this.settings = settings;
        this.rules = rules;
        this.rooms = rooms;
        this.roomAccess = roomAccess;
        this.presence = presence;
        this.memberships = memberships;
        this.observer = observer;
        this.roomTransitions = roomTransitions;
        this.replies = replies;
        this.clock = clock;
    }

    /** Returns the room, in which the hub then puts the user's other connections too. */
    Room joinRoom(Session session, ClientMessage message) {
        String roomId = rules.requireRoomId(message);
        Room room = rooms.require(roomId);
        roomAccess.requireEntry(session.identity(), roomId);
        // At once, not when the entry happens: in a cluster it may wait, and a connection of the user arriving
        // meanwhile must already find the room among the user's.
        if (memberships.remember(session.userId(), room.id())) { // the room's own id string, shared by every member
            observer.membership(session.userId(), room.id(), true);
        }
        whenCanEnter(session, room, message.id(), () -> {
            if (!session.isIn(roomId)) {
                enter(session, room);
            }
            replies.send(session, replies.reply(MessageType.JOINED, roomId, message.id()));
        });
        return room;
    }

    /**
     * Ends the user's membership and takes this connection out; returns the room, from which the hub then takes the
     * user's other connections too. Refused when neither the user nor any connection of theirs is in the room.
     */
    Room leaveRoom(Session session, ClientMessage message) {
        String roomId = rules.requireRoomId(message);
        Room room = rooms.require(roomId);
        boolean wasMember = memberships.forget(session.userId(), roomId);
        if (!wasMember && !session.isIn(roomId) && !room.hasUser(session.userId())) {
            roomAccess.requireEntry(session.identity(), roomId); // "not found" to outsiders of a private room
            throw new ProtocolException(ErrorCode.NOT_MEMBER, "you are not in room '" + roomId + "'");
        }
        if (wasMember) {
            observer.membership(session.userId(), roomId, false); // before the room may be vacated by the exit
        }
        exit(session, room);
        replies.send(session, replies.reply(MessageType.LEFT, roomId, message.id()));
        return room;
    }

    /** Returns the room when the resume made the user a member of it (they were not), else null. */
    Room resumeRoom(Session session, ClientMessage message) {
        String roomId = rules.requireRoomId(message);
        Room room = rooms.require(roomId);
        roomAccess.requireEntry(session.identity(), roomId);
        Object since = message.control().get("since");
        Object epoch = message.control().get("epoch");
        // A JSON number may come as a Double: only a whole one is a seq (1.0 is 1; 1.5, NaN and 1e19 are not).
        if (!(since instanceof Number position) || position.doubleValue() != position.longValue()
                || position.longValue() < 0 || !(epoch instanceof String name)) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "resume needs data.since (the last seq you have, 0 or more) and data.epoch (a string)");
        }
        StreamPosition from = new StreamPosition(name, position.longValue());
        boolean newMember = memberships.remember(session.userId(), room.id());
        if (newMember) {
            observer.membership(session.userId(), room.id(), true);
        }
        whenCanEnter(session, room, message.id(),
                () -> finishResume(session, room, startResume(session, room, from), message.id()));
        return newMember ? room : null;
    }

    /**
     * False when the session must wait to enter or resume the room: in a cluster, this node does not follow the room
     * yet (no connection here is in it), so it does not know where the shared stream stands.
     */
    boolean canEnterNow(Session session, Room room) {
        return session.isIn(room.id()) || routing.isCurrent(room);
    }

    /**
     * Runs {@code entry} (a step that enters or resumes the room, and answers) on the session's executor: at once
     * when it {@link #canEnterNow can}, otherwise once this node follows the room and has brought it up to date from
     * the shared stream. The wait makes "anything published after the answer reaches the session" hold, and lets a
     * resume be answered from the stream's recent messages. A room closed meanwhile is answered
     * {@code room_not_found} (with {@code ref}).
     */
    void whenCanEnter(Session session, Room room, String ref, Runnable entry) {
        if (canEnterNow(session, room)) {
            entry.run();
            return;
        }
        routing.holdUntilCurrent(room).thenRun(() -> {
            try {
                session.connection().executor().execute(() -> {
                    try {
                        if (!session.isOpen()) {
                            return;
                        }
                        if (rooms.find(room.id()).orElse(null) != room) {
                            Map<String, Object> data = new LinkedHashMap<>();
                            data.put("code", ErrorCode.ROOM_NOT_FOUND.code());
                            if (ref != null) {
                                data.put("ref", ref);
                            }
                            replies.send(session, new ServerMessage(null, MessageType.ERROR, null, null, null,
                                    "room '" + room.id() + "' was closed", data, clock.instant()));
                            return;
                        }
                        entry.run();
                    } finally {
                        routing.release(room); // after the entry: the session now holds the room followed
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException shutDown) {
                routing.release(room);
            }
        });
    }

    /** Joins the room if needed and finds what the session missed; the room's lock makes the boundary exact. */
    Resumption startResume(Session session, Room room, StreamPosition from) {
        Resumption resumption = room.resume(session.outbox(), session.slotIn(room.id()), session.identity(),
                from.epoch(), from.seq(), settings.recoveryMaxMessages(),
                () -> firstOfUser(session, room));
        if (resumption.joined()) {
            session.enter(room.id(), resumption.slot());
            following(room);
        }
        return resumption;
    }

    /**
     * Writes the missed messages, then {@code resumed}. This runs on the session's executor before any live message
     * after them, which the lane writes later on the same executor.
     */
    void finishResume(Session session, Room room, Resumption resumption, String ref) {
        List<ServerMessage> missed = resumption.missed().orElse(List.of());
        for (ServerMessage old : missed) {
            replies.send(session, old);
        }
        for (ServerMessage changed : resumption.updates()) {
            replies.send(session, changed); // a message it had, changed while it was away: its newest text
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("recovered", resumption.missed().isPresent());
        data.put("replayed", missed.size());
        StreamPosition now = room.position();
        data.put("epoch", now.epoch());
        data.put("seq", resumption.slot().joinSeq());
        if (ref != null) {
            data.put("ref", ref);
        }
        replies.send(session,
                new ServerMessage(null, MessageType.RESUMED, null, null, room.id(), null, data, clock.instant()));
    }

    void enter(Session session, Room room) {
        Slot slot = room.join(session.outbox(), session.identity(), () -> firstOfUser(session, room));
        session.enter(room.id(), slot);
        following(room);
        observer.joined(session, room.id());
    }

    /**
     * {@link Moderation} repeats these steps when it evicts sessions from a closing room, less the {@code user_left}
     * announcement; bookkeeping added here belongs there too.
     */
    void exit(Session session, Room room) {
        Slot slot = session.exit(room.id());
        if (slot != null) {
            room.leave(slot, session.userId(), () -> {
                presence.left(room, session.identity());
                if (room.userCount() == 0) {
                    roomTransitions.occupancy(room.id(), false);
                }
            });
            routing.release(room);
            observer.left(session, room.id());
        }
    }

    /** The user's first connection here entered the room; inside the room's lock, so the count is exact. */
    private void firstOfUser(Session session, Room room) {
        presence.entered(room, session.identity());
        if (room.userCount() == 1) {
            roomTransitions.occupancy(room.id(), true);
        }
    }

    /** After the room's lock is released: a cluster's catch-up may complete on this thread and take it. */
    private void following(Room room) {
        routing.hold(room);
    }
}
