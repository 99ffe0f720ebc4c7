package dev.relay.core;

import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.cluster.SharedRoomSpec;
import dev.relay.core.identity.Identity;
import dev.relay.core.identity.UserIds;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.policy.Permissions;
import dev.relay.core.policy.RoomAccess;
import dev.relay.core.presence.Presence;
import dev.relay.core.presence.RoomPresenceFeed;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomIds;
import dev.relay.core.room.RoomInfo;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.room.RoomSpec;
import dev.relay.core.store.MessageStore;
import dev.relay.core.store.OfflineMessages;
import dev.relay.core.store.RoomRecord;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What the REST API, the embedding API and the server's housekeeping change on a running {@link Hub}: rooms
 * (create, close, restore), users' memberships, kicks, and the periodic sweeps. Get it from {@link Hub#admin()}. Safe
 * from any thread; work on a session is handed to its executor.
 */
public final class HubAdmin {
    private final HubSettings settings;
    private final Policies policies;
    private final RoomRegistry rooms;
    private final RoomAccess roomAccess;
    private final RoomMemberships memberships;
    private final UserMoves moves;
    private final Moderation moderation;
    private final Presence presence;
    private final RoomPresenceFeed presenceFeed;
    private final OfflineMessages offline;
    private final Routing routing;
    /** Told of rooms created and closed; null when rooms are kept nowhere. */
    private final MessageStore store;
    /** Told of rooms created and deleted and of memberships changed here (not of copies from other nodes). */
    private final HubObserver observer;

    HubAdmin(HubSettings settings, Policies policies, RoomRegistry rooms, RoomAccess roomAccess,
             RoomMemberships memberships, UserMoves moves, Moderation moderation, Presence presence,
             RoomPresenceFeed presenceFeed, OfflineMessages offline, Routing routing, MessageStore store,
             HubObserver observer) {
        this.observer = observer;
        this.settings = settings;
        this.policies = policies;
        this.rooms = rooms;
        this.roomAccess = roomAccess;
        this.memberships = memberships;
        this.moves = moves;
        this.moderation = moderation;
        this.presence = presence;
        this.presenceFeed = presenceFeed;
        this.offline = offline;
        this.routing = routing;
        this.store = store;
    }

    /** Creates a public room; only the roles {@link Permissions#createRooms()} names may. */
    public RoomInfo createRoom(Identity actor, RoomSpec spec) {
        return createRoom(actor, spec, false, Set.of());
    }

    /**
     * Creates a room; a private one only {@code members}, the creator, admins and tokens whose {@code rooms} claim
     * names it may enter. In a cluster this waits for the broker ({@link #createRoomAsync}); on an event loop, call
     * that instead.
     */
    public RoomInfo createRoom(Identity actor, RoomSpec spec, boolean isPrivate, Set<String> members) {
        try {
            return createRoomAsync(actor, spec, isPrivate, members).join();
        } catch (CompletionException failed) {
            throw failed.getCause() instanceof RuntimeException cause ? cause : failed;
        }
    }

    /**
     * Creates a room, as {@link #createRoom(Identity, RoomSpec, boolean, Set)}. A refusal for who is asking or for
     * the fields is thrown at once. On a single node the future is complete. In a cluster the id is first claimed in
     * the broker ({@link dev.relay.core.cluster.Broker#claimRoom}), atomically for every node: an id any node created
     * (even one this node lacks, for its room limit or a missed announcement) fails the future with
     * {@code room_exists}, and nothing changes anywhere; a broker that cannot be reached fails it with
     * {@code temporarily_unavailable}.
     */
    public CompletableFuture<RoomInfo> createRoomAsync(Identity actor, RoomSpec spec, boolean isPrivate,
                                                       Set<String> members) {
        if (!policies.permissions().mayCreateRooms(actor)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN,
                    "only " + policies.permissions().whoMayCreateRooms() + " may create rooms");
        }
        for (String member : members) {
            if (!UserIds.isValid(member)) {
                throw new ProtocolException(ErrorCode.INVALID_FIELD, "'members' holds an invalid user id: "
                        + UserIds.RULE);
            }
        }
        RoomSpec checked = RoomRegistry.checked(spec);
        Set<String> allowed = new HashSet<>(members);
        allowed.add(actor.userId());
        SharedRoomSpec shared = new SharedRoomSpec(checked.id(), checked.name(), checked.description(), isPrivate,
                isPrivate ? allowed : Set.of());
        return routing.create(shared, () -> createHere(spec, isPrivate, allowed)).thenApply(room -> {
            observer.roomCreated(room.id(), actor.userId()); // here only: nodes applying the copy do not report it
            return room.info();
        });
    }

    /** Creates the room on this node with its access list, and keeps it in the store as it was asked for. */
    private Room createHere(RoomSpec spec, boolean isPrivate, Set<String> allowed) {
        Room room = rooms.create(spec, accessOf(spec.id(), isPrivate, allowed));
        memberships.forgetRoom(spec.id()); // a new room under a closed one's id starts with no members
        if (store != null) {
            store.roomCreated(new RoomRecord(spec.id(), spec.name(), spec.description(), isPrivate ? allowed : null));
        }
        return room;
    }

    /**
     * Sets a new room's access list as the registry creates it: only once the create is sure to succeed, so a refused
     * create (room_exists above all) leaves an existing room's list as it was, and before the room can be found, so a
     * private room is never public for a moment. A public room clears any list left under its id.
     */
    private Runnable accessOf(String roomId, boolean isPrivate, Set<String> allowed) {
        return isPrivate ? () -> roomAccess.restrict(roomId, allowed) : () -> roomAccess.forget(roomId);
    }

    /** The settings a configuration reload may change while the hub runs. */
    public LiveSettings live() {
        return policies.live();
    }

    /** The same as {@link #closeRoom}: deleting a room is closing it. */
    public CompletableFuture<Integer> deleteRoom(Identity actor, String roomId) {
        return closeRoom(actor, roomId);
    }

    /**
     * Closes a room (roles in {@code delete_room_roles}, admins by default): each connection in it gets
     * {@code room_closed} and leaves it, without {@code user_left} events; new joins and messages find no room at
     * once. Default rooms cannot be closed: clients connect to them without naming a room. Completes, when every
     * member has been told, with the number of connections that were in it.
     */
    public CompletableFuture<Integer> closeRoom(Identity actor, String roomId) {
        if (!policies.permissions().mayDeleteRooms(actor)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN,
                    "only " + policies.permissions().whoMayDeleteRooms() + " may delete rooms");
        }
        Room room = existingRoom(roomId);
        if (settings.defaultRooms().contains(roomId)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN,
                    "'" + roomId + "' is a default room; remove it from default_rooms instead");
        }
        roomAccess.forget(roomId);
        memberships.forgetRoom(roomId);
        if (store != null) {
            store.roomClosed(roomId, room.position().epoch());
        }
        routing.closed(room);
        CompletableFuture<Integer> closed = moderation.closeRoom(actor, room);
        observer.roomDeleted(roomId, actor.userId());
        RoomPresence shared = presenceFeed.shared();
        if (shared != null) {
            shared.forget(roomId);
        }
        return closed;
    }

    /**
     * Makes the user a member of the room, whether or not they are connected, and puts every live connection of
     * theirs in it, each told with {@code joined} (no {@code ref}); their later connections enter it too. Completes
     * with the number of connections moved on this node; in a cluster the user's connections on the other nodes
     * move too, as the request reaches them. Who may enter is the caller's to check ({@link HubQueries#roomAccess}).
     */
    public CompletableFuture<Integer> joinUser(String userId, String roomId) {
        Room room = existingRoom(roomId);
        if (memberships.remember(userId, room.id())) {
            observer.membership(userId, room.id(), true);
        }
        routing.moveElsewhere(userId, roomId, true);
        return moves.joinHere(userId, room, null);
    }

    /**
     * Ends the user's membership of the room and takes every live connection of theirs out of it, each told with
     * {@code left} (no {@code ref}). Completes with the number of connections moved on this node; in a cluster the
     * user's connections on the other nodes move too, as the request reaches them.
     */
    public CompletableFuture<Integer> leaveUser(String userId, String roomId) {
        Room room = existingRoom(roomId);
        if (memberships.forget(userId, roomId)) {
            observer.membership(userId, roomId, false);
        }
        routing.moveElsewhere(userId, roomId, false);
        return moves.leaveHere(userId, room, null);
    }

    /**
     * Closes every connection of a user (admins only) with {@code reason}, which the client receives in the close
     * frame. Returns how many connections are being closed; each goes through {@link Hub#disconnect} as it ends.
     */
    public int disconnectUser(Identity actor, String userId, CloseReason reason) {
        return moderation.disconnectUser(actor, userId, reason);
    }

    /**
     * Turns idle users away; the server calls it periodically, from one thread. Completes with how many changed: at
     * once on a single node, and in a cluster sharing activity once the cluster answered (the call never waits).
     */
    public CompletableFuture<Integer> sweepIdleUsers() {
        return presence.sweepIdle();
    }

    /** Lets the holder of offline messages drop what expired; the server calls it periodically. */
    public void sweepOfflineMessages() {
        offline.sweep();
    }

    // ---- for the hub as it is built, and for other nodes' changes ----

    /**
     * Creates again the rooms a store kept from an earlier run (rooms that exist already, such as default rooms, are
     * skipped), with their access lists. Returns the ids of rooms that could not be created (the room limit, an id no
     * longer valid).
     */
    List<String> restoreRooms(List<RoomRecord> kept) {
        List<String> failed = new ArrayList<>();
        for (RoomRecord record : kept) {
            if (rooms.find(record.id()).isPresent()) {
                continue;
            }
            try {
                rooms.create(new RoomSpec(record.id(), record.name(), record.description()),
                        accessOf(record.id(), record.allowed() != null, record.allowed()));
            } catch (RuntimeException refused) {
                failed.add(record.id());
            }
        }
        return failed;
    }

    /** Creates here a room another node created; one this node cannot take (its room limit) is left out, logged. */
    void createShared(SharedRoomSpec shared) {
        if (rooms.find(shared.id()).isPresent()) {
            return;
        }
        try {
            rooms.create(new RoomSpec(shared.id(), shared.name(), shared.description()),
                    accessOf(shared.id(), shared.isPrivate(), shared.members()));
        } catch (ProtocolException refused) {
            System.getLogger(Hub.class.getName()).log(System.Logger.Level.WARNING,
                    "room " + shared.id() + " from another node was not created here: " + refused.getMessage());
        }
    }

    /** Closes here a room another node closed (the routing has stopped following it). */
    void closedElsewhere(Room room) {
        String roomId = room.id();
        roomAccess.forget(roomId);
        if (store != null) { // a store of this node's own, or shared: deleting is idempotent
            store.roomClosed(roomId, room.position().epoch());
        }
        memberships.forgetRoom(roomId);
        moderation.closeRoom(Identity.SYSTEM, room);
    }

    /** A REST join or leave on another node: the user's connections here move too. */
    void movedElsewhere(String userId, String roomId, boolean join) {
        rooms.find(roomId).ifPresent(room -> {
            // Recorded here too, for the user's next connection to this node.
            if (join) {
                memberships.remember(userId, room.id());
                moves.joinHere(userId, room, null);
            } else {
                memberships.forget(userId, roomId);
                moves.leaveHere(userId, room, null);
            }
        });
    }

    private Room existingRoom(String roomId) {
        return existing(rooms, roomId);
    }

    static Room existing(RoomRegistry rooms, String roomId) {
        if (!RoomIds.isValid(roomId)) {
            throw new ProtocolException(ErrorCode.INVALID_ROOM_ID, "invalid room id: " + RoomIds.RULE);
        }
        return rooms.require(roomId);
    }
}
