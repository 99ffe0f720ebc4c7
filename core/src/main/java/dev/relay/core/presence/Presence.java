package dev.relay.core.presence;

import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.cluster.SharedActivity;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.codec.Encoder;
import dev.relay.core.identity.Identity;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.session.UserStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Tells rooms about their users: {@code user_joined} / {@code user_left} when a user's first connection enters or
 * last one leaves, and {@code presence} when a user's status changes (chosen, idle, back, offline).
 */
public final class Presence {
    private static final System.Logger LOG = System.getLogger(Presence.class.getName());
    private final RoomRegistry rooms;
    private final UserDirectory users;
    private final Encoder encoder;
    private final Clock clock;
    private final boolean announceRoomEvents;
    private final int maxRoomUsers;
    private final boolean trackIdle;
    private final Duration idleTimeout;
    private final RoomPresenceFeed shared;
    /** Whose activity decides that a user is idle: this node's, or, in a cluster sharing activity, every node's. */
    private final Idleness idleness;
    /** Told of the automatic statuses this node decided (not those it applies because another node decided). */
    private final HubObserver observer;

    /** The other nodes of a cluster, told when a user turns away or comes back automatically here. */
    public interface Elsewhere {
        /** The user turned {@code away} (idle on every node) or came back {@code online} (activity here). */
        void automatic(String userId, UserStatus status);
    }

    /**
     * @param announceRoomEvents send user_joined, user_left and presence events (enable_user_presence)
     * @param maxRoomUsers       rooms with more users than this are not told (presence_max_room_users; 0: no limit)
     * @param trackIdle          turn idle users away automatically (enable_user_status)
     * @param shared             where, in a cluster, announcements go instead of straight to the room
     * @param activity           null, or, in a cluster, the activity of every node: a user then turns away only
     *                           once idle on every node
     * @param elsewhere          with {@code activity}, tells the other nodes when a user turns away or comes back here
     * @param observer           told of each automatic away or back this node decides: with {@code activity}, once
     *                           per cluster; without, each node decides (and reports) on its own activity
     */
    public Presence(RoomRegistry rooms, UserDirectory users, Encoder encoder, Clock clock, boolean announceRoomEvents,
                    int maxRoomUsers, boolean trackIdle, Duration idleTimeout, RoomPresenceFeed shared,
                    SharedActivity activity, Elsewhere elsewhere, HubObserver observer) {
        this.shared = shared;
        this.observer = observer;
        this.idleness = activity == null ? new HereOnly() : new AcrossNodes(activity, elsewhere);
        this.rooms = rooms;
        this.users = users;
        this.encoder = encoder;
        this.clock = clock;
        this.announceRoomEvents = announceRoomEvents;
        this.maxRoomUsers = maxRoomUsers;
        this.trackIdle = trackIdle;
        this.idleTimeout = idleTimeout;
    }

    /** A user's first connection entered the room; runs inside the room's lock. */
    public void entered(Room room, Identity who) {
        users.enteredRoom(who.userId(), room.id());
        if (shared.shared() != null) {
            return; // the cluster announces it, once, on every node
        }
        announce(room, room.userCount(), MessageType.USER_JOINED, who.userId(), "name", who.name());
    }

    /** A user's last connection left the room; runs inside the room's lock. */
    public void left(Room room, Identity who) {
        users.leftRoom(who.userId(), room.id());
        if (shared.shared() != null) {
            return;
        }
        announce(room, room.userCount() + 1, MessageType.USER_LEFT, who.userId(), "name", who.name());
    }

    /** The user sent something: brings them back from an automatic away, on every node. */
    public void activity(String userId) {
        users.activity(userId, clock.instant()).ifPresent(status -> {
            decided(userId, status);
            idleness.cameBack(userId, status); // rare: only on coming back, never per message
        });
    }

    /** The user chose a status. */
    public void choose(String userId, UserStatus status) {
        users.choose(userId, status).ifPresent(changed -> statusChanged(userId, changed));
    }

    /**
     * Turns users idle for longer than the timeout away; call periodically, from one thread. Completes with how many
     * changed: at once on a single node; in a cluster once the shared activity answered, never blocking for it.
     */
    public CompletableFuture<Integer> sweepIdle() {
        if (!trackIdle) {
            return CompletableFuture.completedFuture(0);
        }
        return idleness.sweep();
    }

    /** In a cluster: the idle users no other node saw active turn away, unless they did something here meanwhile. */
    private int turnAway(List<String> idle, Set<String> activeElsewhere, Elsewhere elsewhere) {
        int changed = 0;
        Instant now = clock.instant();
        for (String userId : idle) {
            if (!activeElsewhere.contains(userId)
                    && users.markAway(userId, now, idleTimeout) == UserDirectory.Idle.TURNED_AWAY) {
                changed++;
                decided(userId, UserStatus.AWAY);
                elsewhere.automatic(userId, UserStatus.AWAY);
            }
        }
        return changed;
    }

    /**
     * Another node found the user idle there and on every node it knows of: away here too, unless this node saw
     * activity the cluster did not know of yet (it records it at its next sweep); then the other nodes are told the
     * user is back.
     */
    public void idleElsewhere(String userId) {
        if (trackIdle) {
            idleness.idleElsewhere(userId);
        }
    }

    /**
     * The user did something on another node and came back from an automatic away there: online here too, and idle
     * only a whole timeout from now, so this node's next sweep does not turn them away before the other node's
     * record of the activity reaches the cluster.
     */
    public void activeElsewhere(String userId) {
        idleness.activeElsewhere(userId);
    }

    /** The user's last connection closed: the rooms it was in hear they are offline. */
    public void wentOffline(String userId, Iterable<String> roomIds) {
        RoomPresence cluster = shared.shared();
        for (String roomId : roomIds) {
            if (cluster != null) {
                // Said once, and only if the user is in the room on no other node either.
                ServerMessage event = shared.status(roomId, userId, UserStatus.OFFLINE);
                if (event != null) {
                    cluster.status(roomId, userId, UserStatus.OFFLINE.wireName(), event);
                }
                continue;
            }
            rooms.find(roomId).ifPresent(room -> announce(room, room.userCount() + 1, MessageType.PRESENCE, userId,
                    "status", UserStatus.OFFLINE.wireName()));
        }
    }

    /** This node decided an automatic status: the rooms hear it, and so does the observer (once per cluster). */
    private void decided(String userId, UserStatus status) {
        statusChanged(userId, status);
        idleness.report(userId, status);
    }

    private void statusChanged(String userId, UserStatus status) {
        RoomPresence cluster = shared.shared();
        for (String roomId : users.rooms(userId)) {
            if (cluster != null) {
                ServerMessage event = shared.status(roomId, userId, status);
                if (event != null) {
                    cluster.status(roomId, userId, status.wireName(), event);
                }
                continue;
            }
            rooms.find(roomId).ifPresent(room -> announce(room, room.userCount(), MessageType.PRESENCE, userId,
                    "status", status.wireName()));
        }
    }

    /**
     * @param usersWithThem the room's users counting the one the event is about, so that a user's arrival and
     *                      departure are either both announced or neither, whichever side of the limit
     */
    private void announce(Room room, int usersWithThem, String type, String userId, String key, String value) {
        // Past the limit a join no longer costs a frame per member; members ask for the member list instead.
        if (!announceRoomEvents || (maxRoomUsers > 0 && usersWithThem > maxRoomUsers)) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("user_id", userId);
        data.put(key, value);
        EncodedFrame frame = encoder.encode(ServerMessage.event(type, room.id(), data, clock.instant()));
        try {
            room.announce(frame); // an event lost to an overloaded lane is not worth refusing a join for
        } finally {
            frame.release();
        }
    }

    /** Turning idle users away, and what other nodes say about it; chosen once, when the presence is made. */
    private sealed interface Idleness permits HereOnly, AcrossNodes {
        /** Activity here brought the user back from an automatic away. */
        void cameBack(String userId, UserStatus status);

        /** Turns the users idle for longer than the timeout away (only called when idle users are tracked). */
        CompletableFuture<Integer> sweep();

        /** Another node found the user idle everywhere (only called when idle users are tracked). */
        void idleElsewhere(String userId);

        /** Activity on another node brought the user back from an automatic away. */
        void activeElsewhere(String userId);

        /** Tells the observer of an automatic status this node decided. */
        void report(String userId, UserStatus status);
    }

    /** One node, or a cluster that does not share activity: this node's activity alone decides. */
    private final class HereOnly implements Idleness {
        @Override
        public void cameBack(String userId, UserStatus status) {
        }

        @Override
        public CompletableFuture<Integer> sweep() {
            List<String> away = users.markIdleAway(clock.instant(), idleTimeout);
            away.forEach(userId -> decided(userId, UserStatus.AWAY));
            return CompletableFuture.completedFuture(away.size());
        }

        @Override
        public void idleElsewhere(String userId) {
        }

        @Override
        public void activeElsewhere(String userId) {
        }

        @Override
        public void report(String userId, UserStatus status) {
            observer.statusAutomatic(userId, status.wireName());
        }
    }

    /**
     * A cluster sharing activity: a user turns away only once idle on every node, and this node tells the others
     * when a user turns away or comes back here.
     */
    private final class AcrossNodes implements Idleness {
        private final SharedActivity activity;
        private final Elsewhere elsewhere;

        AcrossNodes(SharedActivity activity, Elsewhere elsewhere) {
            this.activity = activity;
            this.elsewhere = elsewhere;
        }

        @Override
        public void cameBack(String userId, UserStatus status) {
            elsewhere.automatic(userId, status);
        }

        @Override
        public CompletableFuture<Integer> sweep() {
            Instant now = clock.instant();
            Map<String, Duration> activeFor = new HashMap<>();
            users.takeFreshActivity().forEach((userId, at) -> {
                Duration left = idleTimeout.minus(Duration.between(at, now));
                if (left.isPositive()) {
                    activeFor.put(userId, left);
                }
            });
            if (!activeFor.isEmpty()) {
                activity.record(activeFor);
            }
            List<String> idle = users.idle(now, idleTimeout);
            if (idle.isEmpty()) {
                return CompletableFuture.completedFuture(0);
            }
            return activity.active(idle)
                    .handle((activeElsewhere, failure) -> {
                        if (failure != null) {
                            LOG.log(System.Logger.Level.WARNING, "cannot read the cluster's activity; " + idle.size()
                                    + " idle users turn away on this node's activity alone: " + failure);
                            return Set.<String>of();
                        }
                        return activeElsewhere;
                    })
                    .thenApply(activeElsewhere -> turnAway(idle, activeElsewhere, elsewhere));
        }

        @Override
        public void idleElsewhere(String userId) {
            switch (users.markAway(userId, clock.instant(), idleTimeout)) {
                case TURNED_AWAY -> statusChanged(userId, UserStatus.AWAY);
                case ACTIVE -> {
                    // Another node turned the user away (and reported it); activity seen here brings them back.
                    report(userId, UserStatus.ONLINE);
                    elsewhere.automatic(userId, UserStatus.ONLINE);
                }
                case UNCHANGED -> {
                }
            }
        }

        @Override
        public void activeElsewhere(String userId) {
            users.activity(userId, clock.instant()).ifPresent(status -> statusChanged(userId, status));
        }

        /**
         * Two nodes may decide the same change at once (both sweeps find the user idle before either hears of the
         * other): the shared activity lets one report it. Claimed for half the timeout, shorter than the time the
         * same change takes to come round again. If the store cannot answer, this node reports it anyway: a
         * duplicate is better than a change nobody hears of.
         */
        @Override
        public void report(String userId, UserStatus status) {
            activity.claim(userId, status.wireName(), idleTimeout.dividedBy(2)).whenComplete((first, failure) -> {
                if (failure != null || first) {
                    observer.statusAutomatic(userId, status.wireName());
                }
            });
        }
    }
}
