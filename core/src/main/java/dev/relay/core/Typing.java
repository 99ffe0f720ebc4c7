package dev.relay.core;

import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.codec.Encoder;
import dev.relay.core.delivery.Audience;
import dev.relay.core.policy.RateLimiter;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomMember;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.Session;
import dev.relay.core.session.UserDirectory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client's {@code typing}: passed on to the other users of the room or conversation as {@code typing} with
 * {@code from}, never stored, never acked, and at most one per user per conversation every {@link #INTERVAL_NANOS}
 * (the rest are dropped silently: a client sends one per keystroke burst, and a fresh one is all the others need).
 */
final class Typing {
    static final long INTERVAL_NANOS = 2_000_000_000L;
    /** Throttle entries kept before the stale ones are swept, so many users typing cost bounded memory. */
    static final int MAX_TRACKED = 100_000;

    private final RoomRegistry rooms;
    private final UserDirectory users;
    private final Routing routing;
    private final Encoder encoder;
    private final Clock clock;
    private final RateLimiter.NanoClock nanos;
    private final boolean privateMessaging;
    /** "user\nconversation" → when its last typing was forwarded (nanos). */
    private final ConcurrentHashMap<String, Long> lastForwarded = new ConcurrentHashMap<>();

    Typing(RoomRegistry rooms, UserDirectory users, Routing routing, Encoder encoder, Clock clock,
           RateLimiter.NanoClock nanos, boolean privateMessaging) {
        this.rooms = rooms;
        this.users = users;
        this.routing = routing;
        this.encoder = encoder;
        this.clock = clock;
        this.nanos = nanos;
        this.privateMessaging = privateMessaging;
    }

    void typing(Session session, ClientMessage message) {
        String from = session.userId();
        if ((message.roomId() == null) == (message.to() == null)) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "a typing needs room_id or to, not both");
        }
        if (message.roomId() != null) {
            Room room = rooms.require(message.roomId());
            if (!room.hasUser(from)) {
                throw new ProtocolException(ErrorCode.NOT_MEMBER, "not a member of room '" + room.id() + "'");
            }
            if (forward(from, "room\n" + room.id())) {
                ServerMessage typing = new ServerMessage(null, MessageType.TYPING, from, null, room.id(), null, null,
                        clock.instant());
                if (!routing.typingInRoom(room, typing)) {
                    deliverInRoom(room, users, encoder, typing);
                }
            }
            return;
        }
        if (!privateMessaging) {
            throw new ProtocolException(ErrorCode.FEATURE_DISABLED, "private messaging is turned off");
        }
        String to = message.to();
        if (to.equals(from)) {
            return; // no one else to tell
        }
        if (forward(from, "user\n" + to)) {
            ServerMessage typing = new ServerMessage(null, MessageType.TYPING, from, to, null, null, null,
                    clock.instant());
            users.audience(to).ifPresent(audience -> deliver(encoder, typing, List.of(audience)));
            routing.toUserElsewhere(to, typing);
        }
    }

    /** Whether this one is due (the last forwarded was at least the interval ago); records it if so. */
    private boolean forward(String userId, String conversation) {
        long now = nanos.nanoTime();
        if (lastForwarded.size() > MAX_TRACKED) {
            lastForwarded.values().removeIf(at -> now - at >= INTERVAL_NANOS);
        }
        boolean[] due = {false};
        lastForwarded.compute(userId + "\n" + conversation, (key, last) -> {
            if (last != null && now - last < INTERVAL_NANOS) {
                return last;
            }
            due[0] = true;
            return now;
        });
        return due[0];
    }

    /**
     * Delivers a room's {@code typing} to the connections here of every member but the typist, each once; called
     * for a local typing and for one from another node alike.
     */
    static void deliverInRoom(Room room, UserDirectory users, Encoder encoder, ServerMessage typing) {
        List<Audience> others = new ArrayList<>();
        for (RoomMember member : room.users()) {
            if (!member.userId().equals(typing.from())) {
                users.audience(member.userId()).ifPresent(others::add);
            }
        }
        deliver(encoder, typing, others);
    }

    private static void deliver(Encoder encoder, ServerMessage typing, List<Audience> audiences) {
        if (audiences.isEmpty()) {
            return;
        }
        EncodedFrame frame = encoder.encode(typing);
        try {
            Audience.deliverToUnion(frame, audiences, null); // lost to a full lane like any event, never refused
        } finally {
            frame.release();
        }
    }
}
