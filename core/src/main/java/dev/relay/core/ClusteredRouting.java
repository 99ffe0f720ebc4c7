package dev.relay.core;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.Published;
import dev.relay.core.cluster.SharedRoomSpec;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.codec.Encoder;
import dev.relay.core.delivery.Audience;
import dev.relay.core.delivery.DeliveryLane;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.session.UserStatus;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@link Routing} of a node in a cluster, the hub's side of a {@link Broker}: a room message takes its {@code seq}
 * from the room's shared stream and is delivered here, as on every node, when it arrives from there; private messages,
 * broadcasts, joins, statuses and room changes also reach the other nodes. It follows the rooms this node has a reason to follow (a connection in the room,
 * or a resume waiting for it), delivers what arrives from the shared streams in {@code seq} order, and fills a gap
 * (messages missed while the broker was unreachable, or published before this node followed the room) from the
 * shared stream before anything after it is delivered.
 *
 * <p>Each followed room has a {@link Feed}. While a feed is catching up, arrivals wait in it, in seq order; the feed's
 * monitor serializes arrivals (engine threads) with the completions of its fetches. Delivery itself goes through
 * {@link Room#arrive}, under the room's lock, like a local publish. Feeds are made and dropped in
 * {@link ConcurrentHashMap#compute}, so a room's subscribe and unsubscribe reach the broker in the order its first
 * connection arrived and its last one left, whatever loops they were on.
 */
final class ClusteredRouting implements Routing, Broker.Inbound {
    private static final System.Logger LOG = System.getLogger(ClusteredRouting.class.getName());
    /** Arrivals kept while a gap is being filled; past it, the room is caught up from the stream afresh. */
    static final int MAX_WAITING = 10_000;
    private static final Executor RETRY = CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS);

    private final Broker broker;
    private final RoomRegistry rooms;
    private final UserDirectory users;
    private final Audience everyone;
    private final Encoder encoder;
    private final int historySize;
    private final java.time.Duration catchUpWait;
    /** The rooms followed here; a feed lives while something holds it ({@link #hold}). */
    private final ConcurrentHashMap<String, Feed> feeds = new ConcurrentHashMap<>();
    private final Local local;

    /** Control messages between nodes, on the user and everyone channels: never delivered to a client. */
    static final String JOIN_ROOM = "cluster.join_room";
    static final String LEAVE_ROOM = "cluster.leave_room";
    static final String ROOM_CREATED = "cluster.room_created";
    static final String ROOM_CLOSED = "cluster.room_closed";
    static final String STATUS = "cluster.status";
    /**
     * The content of a {@link #STATUS} that no user chose: the user turned away being idle on every node, or came back
     * with activity on the sending node. Not status names, so a node that does not know them ignores them.
     */
    static final String IDLE = "idle";
    static final String ACTIVE = "active";
    /** On a user's channel: a private message was just held for the user; a node with their connections takes it. */
    static final String OFFLINE_HELD = "cluster.offline_held";
    /** To every node: a {@code cancel} the node it reached did not recognise (from: who, content: the reply id). */
    static final String CANCEL = "cluster.cancel";

    /** What the hub does on this node when another node acts on users or rooms. */
    interface Local {
        /** A REST join or leave on another node: move the user's connections here too. */
        void moveHere(String userId, String roomId, boolean join);

        /** A user chose a status on another node: it is theirs here too. */
        void statusHere(String userId, String status);

        /** Another node found the user idle on every node and turned them away there. */
        void idleHere(String userId);

        /** Activity on another node brought the user back from an automatic away there. */
        void activeHere(String userId);

        /** A private message was held for the user: hand it to their connections here, if there are any. */
        void heldHere(String userId);

        /** A room created on another node: create it here. */
        void createHere(SharedRoomSpec room);

        /** A room closed on another node: close it here (this node no longer follows it). */
        void closeHere(Room room);

        /** A {@code cancel} made on another node: stop the work here it names, if any and if {@code who} may. */
        void cancelHere(Identity who, String replyId);
    }

    /**
     * @param catchUpWait how long an entry or resume waits for a room this node just started following to catch up
     *                    with the shared stream; past it the connection is answered from what this node has
     */
    ClusteredRouting(Broker broker, RoomRegistry rooms, UserDirectory users, Audience everyone, Encoder encoder,
                     int historySize, java.time.Duration catchUpWait, Local local) {
        this.local = local;
        this.catchUpWait = catchUpWait;
        this.broker = broker;
        this.rooms = rooms;
        this.users = users;
        this.everyone = everyone;
        this.encoder = encoder;
        this.historySize = historySize;
    }

    /**
     * Connects to the broker and creates the rooms other nodes created before this one started, waiting up to the
     * catch-up wait for them. Called once, when the hub is built, after everything the inbound messages reach exists.
     */
    void join() {
        broker.start(this);
        try {
            broker.savedRooms().get(catchUpWait.toMillis(), TimeUnit.MILLISECONDS).values()
                    .forEach(saved -> local.createHere(SharedRoomSpec.decode(saved)));
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException slow) {
            throw new IllegalStateException("could not read the cluster's rooms from the broker", slow);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Broker engine() {
        return broker;
    }

    @Override
    public Optional<Broker> broker() {
        return Optional.of(broker);
    }

    // ---- publishing ----

    /**
     * The shared stream gives the message its seq, and every node, this one included, delivers it when it arrives
     * from there; the ack waits for the stream's answer. The retry key makes a retry through any node land once.
     */
    @Override
    public CompletableFuture<Published> toRoom(Room room, ServerMessage draft, String retryKey, Publisher here) {
        if (!room.members().hasRoom()) {
            throw Publisher.overloaded(); // this node's lanes are full: refuse before the stream takes it
        }
        return broker.publishToRoom(draft, room.epoch(), retryKey).thenCompose(here::placed);
    }

    @Override
    public CompletableFuture<Published> toUser(Identity from, String to, ServerMessage out, Published pending,
                                               Publisher here) {
        return here.toUserAnywhere(this, from, to, out, pending);
    }

    /** The other nodes first: a broker that cannot take it fails the broadcast before anyone has seen it. */
    @Override
    public CompletableFuture<Published> toEveryone(ServerMessage out, Published pending, Publisher here) {
        return broker.publishToEveryone(out).thenApply(sent -> {
            here.toEveryoneHere(out);
            return pending;
        });
    }

    @Override
    public CompletableFuture<Void> followUser(String userId) {
        return broker.followUser(userId);
    }

    @Override
    public void unfollowUser(String userId) {
        broker.unfollowUser(userId);
    }

    /**
     * Claims the id in the broker ({@link Broker#claimRoom}), atomically for every node, then creates the room here
     * and tells the other nodes. An id any node created fails with {@code room_exists}, a broker that cannot be
     * reached with {@code temporarily_unavailable}; either way nothing changes anywhere.
     */
    @Override
    public CompletableFuture<Room> create(SharedRoomSpec shared, Supplier<Room> createHere) {
        if (rooms.find(shared.id()).isPresent()) {
            throw new ProtocolException(ErrorCode.ROOM_EXISTS, "room '" + shared.id() + "' already exists");
        }
        return claim(shared).handle((claimed, failure) -> {
            if (failure != null) {
                throw new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                        "the cluster could not be reached; the room was not created, retry later");
            }
            if (!claimed) {
                throw new ProtocolException(ErrorCode.ROOM_EXISTS, "room '" + shared.id() + "' already exists");
            }
            Room room;
            try {
                room = createHere.get();
            } catch (RuntimeException refused) {
                unclaim(shared.id());
                throw refused;
            }
            shareCreated(shared);
            return room;
        });
    }

    /** Stops following the closed room and tells the other nodes, which close it too. */
    @Override
    public void closed(Room room) {
        unfollow(room);
        shareClosed(room.id());
    }

    /**
     * One more reason to follow the room here: a connection entered it, or a resume waits for it. The first makes
     * this node subscribe and bring the room up to date with the shared stream (its recent messages kept for
     * resumes) before it delivers anything newer. Each call is undone by one {@link #release}.
     */
    @Override
    public void hold(Room room) {
        Feed[] created = new Feed[1];
        feeds.compute(room.id(), (id, feed) -> {
            if (feed != null && feed.room == room) {
                feed.holders++;
                return feed;
            }
            if (feed == null) {
                broker.followRoom(id);
            } // else a room of the same id, closed: the subscription is the same
            created[0] = new Feed(room);
            return created[0];
        });
        if (created[0] != null) {
            start(created[0]); // outside compute: its completion may run here and take the room's lock
        }
    }

    /** Undoes one {@link #hold}; the last makes this node stop following the room. */
    @Override
    public void release(Room room) {
        feeds.computeIfPresent(room.id(), (id, feed) -> {
            if (feed.room != room || --feed.holders > 0) {
                return feed;
            }
            broker.unfollowRoom(id);
            return null;
        });
    }

    /** Whether the room is followed here and has caught up with the shared stream since. */
    @Override
    public boolean isCurrent(Room room) {
        Feed feed = feeds.get(room.id());
        return feed != null && feed.room == room && feed.caughtUp.isDone();
    }

    /**
     * Holds the room (undo with {@link #release}) and completes once it has caught up with the shared stream, or
     * after the catch-up wait when the broker cannot answer; never fails.
     */
    @Override
    public CompletableFuture<Void> holdUntilCurrent(Room room) {
        hold(room);
        Feed feed = feeds.get(room.id());
        if (feed == null || feed.room != room) {
            return CompletableFuture.completedFuture(null); // closed meanwhile
        }
        return feed.caughtUp.copy().completeOnTimeout(null, catchUpWait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The room was closed: stop following it, whatever still holds it. */
    private void unfollow(Room room) {
        if (feeds.remove(room.id()) != null) {
            broker.unfollowRoom(room.id());
        }
    }

    // ---- inbound, on the engine's threads ----

    @Override
    public void roomMessage(ServerMessage placed) {
        roomMessage(placed, null);
    }

    @Override
    public void together(Runnable work) {
        DeliveryLane.holdingWakeups(work);
    }

    @Override
    public void roomMessage(ServerMessage placed, EncodedFrame wire) {
        Feed feed = feeds.get(placed.roomId());
        if (feed == null) {
            return; // a room this node does not have (or no longer)
        }
        synchronized (feed) {
            if (feed.syncing) {
                feed.hold(placed);
                return;
            }
            if (feed.room.arrive(placed, wire) == Room.Arrival.GAP) {
                feed.hold(placed);
                feed.syncing = true;
                fill(feed);
            }
        }
    }

    @Override
    public void roomEvent(ServerMessage event) {
        Room room = rooms.find(event.roomId()).orElse(null);
        if (room == null) {
            return;
        }
        if (dev.relay.core.protocol.MessageType.TYPING.equals(event.type())) {
            Typing.deliverInRoom(room, users, encoder, event); // to the others only, not to the typist's tabs
            return;
        }
        EncodedFrame frame = encoder.encode(event);
        try {
            if (dev.relay.core.protocol.MessageType.MESSAGE_UPDATE.equals(event.type())
                    || dev.relay.core.protocol.MessageType.MESSAGE_DELETED.equals(event.type())) {
                room.update(event, frame); // every node keeps the new text for its own resumes
                return;
            }
            room.announce(frame); // like a local event: lost to a full lane rather than refusing anything
        } finally {
            frame.release();
        }
    }

    /** Through the broker, so this node updates and delivers when it comes back, like every other node. */
    @Override
    public void updateInRoom(Room room, ServerMessage update, EncodedFrame frame) {
        broker.publishRoomEvent(update).exceptionally(failure -> {
            LOG.log(System.Logger.Level.WARNING, "a message_update for room " + room.id() + " was not sent", failure);
            return null;
        });
    }

    /** Through the broker, which brings it back here too: every node delivers to its own members the same way. */
    @Override
    public boolean typingInRoom(Room room, ServerMessage typing) {
        broker.publishRoomEvent(typing).exceptionally(failure -> {
            LOG.log(System.Logger.Level.DEBUG, "a typing for room " + room.id() + " was not sent", failure);
            return null;
        });
        return true;
    }

    @Override
    public void toUserElsewhere(String userId, ServerMessage message) {
        broker.publishToUser(userId, message).exceptionally(failure -> {
            LOG.log(System.Logger.Level.WARNING, "a frame for " + userId + " did not reach the other nodes", failure);
            return 0L;
        });
    }

    /** The admin role travels along, so an admin's cancel is honoured wherever the work runs. */
    @Override
    public boolean cancelElsewhere(Identity who, String replyId) {
        ServerMessage control = new ServerMessage(null, CANCEL, who.userId(), null, null, replyId,
                java.util.Map.of("admin", who.isAdmin()), java.time.Instant.EPOCH);
        broker.publishToEveryone(control).exceptionally(failure -> {
            LOG.log(System.Logger.Level.WARNING, "a cancel did not reach the other nodes", failure);
            return null;
        });
        return true;
    }

    /** Asks the other nodes to move the user's connections there into or out of the room. */
    @Override
    public void moveElsewhere(String userId, String roomId, boolean join) {
        ServerMessage control = new ServerMessage(null, join ? JOIN_ROOM : LEAVE_ROOM, null, userId, roomId, null,
                null, java.time.Instant.EPOCH);
        broker.publishToUser(userId, control).exceptionally(failure -> {
            LOG.log(System.Logger.Level.WARNING, "could not ask the other nodes to move " + userId, failure);
            return 0L;
        });
    }

    /**
     * Tells the user's other nodes the status they chose here, so every node reports the same one and announces it
     * in the rooms the user is in there (once per room: the room presence drops what another node said already).
     * Even when unchanged: choosing "away" while automatically away makes it a chosen status, which activity on
     * another node must then leave alone there too.
     */
    @Override
    public void shareStatus(String userId) {
        sendStatus(userId, users.status(userId).wireName());
    }

    /**
     * Tells the user's other nodes that they turned away automatically here (idle on every node) or came back with
     * activity here; unlike a chosen status, activity on any node still brings them back.
     */
    void shareAutomatic(String userId, UserStatus status) {
        sendStatus(userId, status == UserStatus.AWAY ? IDLE : ACTIVE);
    }

    private void sendStatus(String userId, String status) {
        ServerMessage control = new ServerMessage(null, STATUS, null, userId, null, status, null,
                java.time.Instant.EPOCH);
        broker.publishToUser(userId, control).exceptionally(failure -> {
            LOG.log(System.Logger.Level.WARNING, "could not tell the other nodes " + userId + "'s status", failure);
            return 0L;
        });
    }

    /**
     * A private message for a user connected nowhere was just held. The user may have connected meanwhile, on this
     * node or another, and taken what was held before this message got there: every node where the user now is
     * takes it. A node whose subscription to the user's channel was not yet in place when this notice went out
     * takes what is held only after it is, so it finds the message then (see {@link Broker#followUser}).
     */
    void heldFor(String userId) {
        ServerMessage notice = new ServerMessage(null, OFFLINE_HELD, null, userId, null, null, null,
                java.time.Instant.EPOCH);
        broker.publishToUser(userId, notice).exceptionally(failure -> {
            // Still held: the user gets it on their next connection.
            LOG.log(System.Logger.Level.DEBUG, "could not tell the other nodes a message is held for " + userId,
                    failure);
            return 0L;
        });
        if (users.isOnline(userId)) {
            local.heldHere(userId);
        }
    }

    @Override
    public void userMessage(String userId, ServerMessage message) {
        switch (message.type()) {
            case JOIN_ROOM -> local.moveHere(userId, message.roomId(), true);
            case LEAVE_ROOM -> local.moveHere(userId, message.roomId(), false);
            case STATUS -> {
                switch (String.valueOf(message.content())) {
                    case IDLE -> local.idleHere(userId);
                    case ACTIVE -> local.activeHere(userId);
                    default -> local.statusHere(userId, message.content());
                }
            }
            case OFFLINE_HELD -> local.heldHere(userId);
            default -> users.audience(userId).ifPresent(audience -> deliver(message, audience));
        }
    }

    @Override
    public void broadcast(ServerMessage message) {
        switch (message.type()) {
            case ROOM_CREATED -> local.createHere(SharedRoomSpec.decode(message.content()));
            case ROOM_CLOSED -> rooms.find(message.roomId()).ifPresent(room -> {
                unfollow(room);
                local.closeHere(room);
            });
            case CANCEL -> local.cancelHere(new Identity(message.from(), null,
                    isAdmin(message.data()) ? java.util.Set.of(Identity.ADMIN_ROLE) : java.util.Set.of()),
                    message.content());
            default -> deliver(message, everyone);
        }
    }

    /** The data of a {@link #CANCEL}, as the broker codec read it back (a map, or raw JSON text). */
    private static boolean isAdmin(Object data) {
        return data instanceof java.util.Map<?, ?> map ? Boolean.TRUE.equals(map.get("admin"))
                : data != null && data.toString().replace(" ", "").contains("\"admin\":true");
    }

    /**
     * Claims a room's id for this node before the room is created here, and keeps it for nodes that start later:
     * false when a room with this id exists in the cluster already (on another node, even one this node does not have).
     */
    private CompletableFuture<Boolean> claim(SharedRoomSpec room) {
        return broker.claimRoom(room.id(), room.encode());
    }

    /** Gives back an id claimed for a room that could not be created here after all (this node's room limit). */
    private void unclaim(String roomId) {
        broker.deleteRoom(roomId).exceptionally(failure -> {
            LOG.log(System.Logger.Level.WARNING, "room " + roomId + " was not created here but its id could not be"
                    + " given back", failure);
            return null;
        });
    }

    /** Tells the other nodes about a room created here under an id this node claimed. */
    private void shareCreated(SharedRoomSpec room) {
        ServerMessage control = new ServerMessage(null, ROOM_CREATED, null, null, room.id(), room.encode(), null,
                java.time.Instant.EPOCH);
        broker.publishToEveryone(control).exceptionally(failure -> {
            LOG.log(System.Logger.Level.WARNING, "room " + room.id() + " was created here but the other nodes could"
                    + " not be told", failure);
            return null;
        });
    }

    /** Tells the other nodes a room was closed here, and forgets its shared stream. */
    private void shareClosed(String roomId) {
        ServerMessage control = new ServerMessage(null, ROOM_CLOSED, null, null, roomId, null, null,
                java.time.Instant.EPOCH);
        broker.publishToEveryone(control)
                .thenCompose(sent -> broker.deleteRoom(roomId))
                .exceptionally(failure -> {
                    LOG.log(System.Logger.Level.WARNING, "room " + roomId + " was closed here but the other nodes"
                            + " could not be told", failure);
                    return null;
                });
    }

    @Override
    public void reconnected() {
        feeds.values().forEach(this::recheck);
    }

    /** Private messages and broadcasts from other nodes: best effort, like a local one past a full lane. */
    private void deliver(ServerMessage message, Audience audience) {
        EncodedFrame frame = encoder.encode(message);
        try {
            if (!audience.deliver(frame)) {
                LOG.log(System.Logger.Level.WARNING, "dropped a " + message.type() + " from another node: lanes full");
            }
        } finally {
            frame.release();
        }
    }

    // ---- catching up (feed.syncing is true throughout; completions run on the engine's threads) ----

    /** A room just followed: skip to the shared stream's end, keeping its recent messages for resumes. */
    private void start(Feed feed) {
        String roomId = feed.room.id();
        broker.position(roomId)
                .thenCompose(position -> position.isEmpty()
                        ? CompletableFuture.completedFuture((Runnable) () -> { })
                        : broker.recent(roomId, historySize).thenApply(recent ->
                                (Runnable) () -> feed.room.skipTo(position.get(), recent)))
                .whenComplete((step, failure) -> {
                    if (failure != null) {
                        retry(feed, () -> start(feed), failure);
                        return;
                    }
                    synchronized (feed) {
                        step.run();
                        drain(feed);
                    }
                    // The subscription may have taken effect after the position was read: a message placed between
                    // them comes as a gap with the next arrival, or, if none comes, with this second look.
                    RETRY.execute(() -> recheck(feed));
                });
    }

    private void recheck(Feed feed) {
        if (feeds.get(feed.room.id()) != feed) {
            return;
        }
        synchronized (feed) {
            if (feed.syncing) {
                return; // a fetch is in flight; it sees the new state
            }
            feed.syncing = true;
        }
        catchUp(feed);
    }

    /** After an outage: fetch what this node missed, then deliver it and what waited, in order. */
    private void catchUp(Feed feed) {
        String roomId = feed.room.id();
        broker.position(roomId).whenComplete((position, failure) -> {
            if (failure != null) {
                retry(feed, () -> catchUp(feed), failure);
                return;
            }
            StreamPosition here = feed.room.position();
            if (position.isEmpty() || position.get().seq() <= here.seq() && position.get().epoch().equals(here.epoch())) {
                synchronized (feed) {
                    drain(feed);
                }
                return;
            }
            fetch(feed, position.get());
        });
    }

    /** The first waiting message is past the room's position: fetch what lies between. */
    private void fill(Feed feed) {
        ServerMessage first = feed.waiting.firstEntry().getValue();
        fetch(feed, new StreamPosition(first.epoch(), first.seq() - 1));
    }

    private void fetch(Feed feed, StreamPosition upTo) {
        StreamPosition here = feed.room.position();
        long after = here.epoch().equals(upTo.epoch()) ? here.seq() : 0;
        broker.range(feed.room.id(), upTo.epoch(), after, upTo.seq()).whenComplete((missed, failure) -> {
            if (failure != null) {
                retry(feed, () -> fetch(feed, upTo), failure);
                return;
            }
            synchronized (feed) {
                if (missed.isPresent()) {
                    missed.get().forEach(feed.room::arrive);
                } else {
                    // The stream no longer holds them (trimmed while this node was cut off): members here miss
                    // them live; a client resuming from before them is told it was not fully recovered.
                    LOG.log(System.Logger.Level.WARNING, "room " + feed.room.id() + ": messages up to seq "
                            + upTo.seq() + " are no longer in the shared stream; skipped");
                    feed.room.skipTo(upTo, List.of());
                }
                drain(feed);
            }
        });
    }

    /** Delivers the waiting arrivals in order; stops at the next gap and fetches it. Holds the feed's monitor. */
    private void drain(Feed feed) {
        while (!feed.waiting.isEmpty()) {
            ServerMessage next = feed.waiting.firstEntry().getValue();
            if (feed.room.arrive(next) == Room.Arrival.GAP) {
                fill(feed);
                return;
            }
            feed.waiting.pollFirstEntry();
        }
        feed.syncing = false;
        feed.caughtUp.complete(null);
    }

    private void retry(Feed feed, Runnable again, Throwable failure) {
        if (feeds.get(feed.room.id()) != feed) {
            return; // unfollowed meanwhile
        }
        LOG.log(System.Logger.Level.DEBUG, "room " + feed.room.id() + ": catching up failed, retrying", failure);
        RETRY.execute(again);
    }

    /**
     * A room's arrivals and whether they must wait. Guarded by its own monitor, but for {@code holders}, which only
     * {@link ConcurrentHashMap#compute} on {@link #feeds} touches. Born catching up.
     */
    private static final class Feed {
        final Room room;
        final TreeMap<Long, ServerMessage> waiting = new TreeMap<>();
        final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
        boolean syncing = true;
        int holders = 1;

        Feed(Room room) {
            this.room = room;
        }

        void hold(ServerMessage placed) {
            if (waiting.size() >= MAX_WAITING) {
                // Far behind: keep the newest; the gap before them is fetched (or skipped) as one.
                waiting.pollFirstEntry();
            }
            waiting.put(placed.seq(), placed);
        }
    }
}
