package dev.relay.core;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.PresenceStore;
import dev.relay.core.cluster.Published;
import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.cluster.SharedActivity;
import dev.relay.core.cluster.SharedRetries;
import dev.relay.core.cluster.SharedRoomSpec;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.codec.Encoder;
import dev.relay.core.delivery.Audience;
import dev.relay.core.delivery.Connection;
import dev.relay.core.delivery.DeliveryLane;
import dev.relay.core.history.HistoryStore;
import dev.relay.core.history.MemoryHistoryStore;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.identity.Identity;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.policy.ContentFilter;
import dev.relay.core.policy.MessageRules;
import dev.relay.core.policy.Permissions;
import dev.relay.core.policy.RateLimiter;
import dev.relay.core.policy.RoomAccess;
import dev.relay.core.policy.TokenCheck;
import dev.relay.core.presence.Presence;
import dev.relay.core.presence.RoomPresenceFeed;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Resumption;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomContext;
import dev.relay.core.room.RoomMember;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.Session;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.session.UserStatus;
import dev.relay.core.store.MemoryOfflineMessages;
import dev.relay.core.store.MessageSink;
import dev.relay.core.store.MessageStore;
import dev.relay.core.store.OfflineMessages;
import dev.relay.core.store.RoomRecord;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The entry point of the domain, as the transport sees it: connections and what arrives on them (connect, message,
 * binary, malformed, chargeFrame, disconnect), plus publishing on behalf of the REST and embedding APIs. What the
 * administration changes is on {@link #admin()} ({@link HubAdmin}), what queries read on {@link #queries()}
 * ({@link HubQueries}): one hub, three faces split by who calls them, so that each caller sees a small type and the
 * transport's hot path lives in a class of its own. They are views of the one hub rather than three types built
 * separately, because they share its state (rooms, users, routing) and must never see two different ones.
 *
 * <p>A hub is built once, from everything it needs ({@link #builder}): its stores, its cluster engine if any, and its
 * policies cannot change afterwards. Whether it is a single node or one of a cluster is decided then too, as its
 * {@link Routing}: a room message takes the same path through the hub either way.
 *
 * <p>Threading: methods taking a {@link Session} run on that session's executor (its event loop), which owns the
 * session's state. Everything else is safe from any thread; work on a session is handed to its executor.
 */
public final class Hub {
    public static final String WELCOME_CONTENT = "欢迎连接到WebSocket服务";
    public static final String RECONNECT_CONTENT = "the server is shutting down; reconnect";
    /** Private messages held per offline user unless a holder is given (the default of offline_max_messages). */
    public static final int DEFAULT_OFFLINE_MAX_MESSAGES = 1000;
    /** How long after sending its author may edit a message, unless {@code edit_window} says otherwise. */
    public static final Duration DEFAULT_EDIT_WINDOW = Duration.ofHours(24);
    /** The type {@link HubObserver#accepted} reports for a relayed binary frame. */
    public static final String BINARY = "binary";

    private final HubSettings settings;
    /** What a configuration reload may change while the hub runs: the content filter, new connections' rate limit. */
    private final LiveSettings live;
    private final Clock clock;
    private final RateLimiter.NanoClock nanoClock;
    private final IdGenerator ids;
    private final RoomAccess roomAccess = new RoomAccess();
    private final RoomRegistry rooms;
    private final UserDirectory users;
    private final Presence presence;
    private final Routing routing;
    private final Publisher publisher;
    private final Membership membership;
    /** The rooms each user joined and has not left, across their connections and reconnects. */
    private final RoomMemberships memberships;
    private final UserMoves moves;
    private final SessionControl control;
    private final Audience everyone = new Audience();
    private final Map<Executor, DeliveryLane> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong slowConsumers = new AtomicLong();
    private final HubObserver observer;
    /**
     * Told when this node's first or last connection of a user is the user's first or last anywhere: the observer on
     * one node; nobody in a cluster, where the shared presence says which node's change it was ({@link #shareOnline}).
     * Chosen once here, like the routing, so no call asks whether there is a cluster.
     */
    private final HubObserver nodeTransitions;
    private final Replies replies;
    private final HeldDelivery held;
    private final HubAdmin admin;
    private final HubQueries queries;
    private final Updates updates;
    private final Cancels cancels;
    private final Edits edits;
    private final Typing typing;
    /** The kept rooms given to the builder that could not be created again. */
    private final List<String> notRestored;

    /** Starts a hub from what it cannot do without; everything else has an in-memory, single-node default. */
    public static Builder builder(HubSettings settings, Encoder encoder, Clock clock,
                                  RateLimiter.NanoClock nanoClock) {
        return new Builder(settings, encoder, clock, nanoClock);
    }

    private Hub(Builder b) {
        this.observer = b.observer;
        this.settings = b.settings;
        this.nodeTransitions = b.broker == null ? b.observer : HubObserver.NONE;
        this.users = new UserDirectory(b.presenceStore == null ? UserDirectory.Transitions.NONE
                : (userId, online) -> shareOnline(b.presenceStore, userId, online));
        this.clock = b.clock;
        this.nanoClock = b.nanoClock;
        Encoder encoder = b.encoder;
        this.ids = new IdGenerator(clock);
        this.replies = new Replies(encoder, clock);
        MessageRules rules = new MessageRules(settings.maxMessageLength());
        this.live = new LiveSettings(b.contentFilter, settings.rateLimitPerMinute());
        Policies policies = new Policies(b.permissions, b.tokenCheck, live);
        // In a cluster, where changes of room membership go to be announced once for every node.
        RoomPresenceFeed presenceFeed = new RoomPresenceFeed(clock, settings.enableUserPresence());
        HistoryStore history = b.history != null ? b.history
                : new MemoryHistoryStore(settings.historySize(), settings.historyTtl(), clock);
        this.rooms = new RoomRegistry(new RoomContext(encoder, history, clock, presenceFeed), settings.maxRooms());
        ClusteredRouting clustered = b.broker == null ? null : new ClusteredRouting(b.broker, rooms, users, everyone,
                encoder, settings.historySize(), b.catchUp, new FromOtherNodes());
        this.routing = clustered == null ? LocalRouting.INSTANCE : clustered;
        this.presence = new Presence(rooms, users, encoder, clock, settings.enableUserPresence(),
                settings.presenceMaxRoomUsers(), settings.enableUserStatus(), settings.userStatusTimeout(),
                presenceFeed, b.sharedActivity, clustered == null ? null : clustered::shareAutomatic,
                observer);
        OfflineMessages offline = b.offline != null ? b.offline : b.store != null ? b.store
                : new MemoryOfflineMessages(DEFAULT_OFFLINE_MAX_MESSAGES, settings.historyTtl(), clock);
        MessageSink sink = b.sink != null ? b.sink : b.store != null ? b.store : MessageSink.NONE;
        this.held = new HeldDelivery(offline, users, replies);
        this.memberships = new RoomMemberships();
        this.publisher = new Publisher(settings, policies, rules, rooms, roomAccess, users, presence, everyone, ids,
                encoder, clock, observer, routing, sink, offline, b.sharedRetries, held::toUserHere, memberships);
        this.membership = new Membership(settings, rules, rooms, roomAccess, presence, memberships, observer,
                nodeTransitions, replies, clock, routing);
        this.updates = new Updates(rooms, users, policies, rules, routing, sink, encoder, clock);
        this.cancels = b.cancels;
        this.typing = new Typing(rooms, users, routing, encoder, clock, nanoClock, settings.enablePrivateMessaging());
        this.edits = new Edits(b.store, updates, policies, b.editWindow, clock, b.editLookups, this::sendError);
        this.moves = new UserMoves(rooms, users, roomAccess, membership, replies);
        this.control = new SessionControl(policies, presence, users, replies);
        Moderation moderation = new Moderation(rooms, users, policies, replies, clock, observer);
        this.admin = new HubAdmin(settings, policies, rooms, roomAccess, memberships, moves, moderation, presence,
                presenceFeed, offline, routing, b.store, observer);
        this.queries = new HubQueries(settings, rooms, roomAccess, users, memberships, publisher,
                new ClusterViews(presenceFeed, users), routing, b.presenceStore, connections, slowConsumers,
                lanes.values(), clock);
        rooms.createDefaults(settings.defaultRooms());
        // Before joining a cluster, so the rooms this node kept win over the same ids created by other nodes.
        this.notRestored = admin.restoreRooms(b.keptRooms);
        if (clustered != null) {
            clustered.join();
        }
        if (b.roomPresence != null) {
            b.roomPresence.start(presenceFeed.localRooms(
                    () -> rooms.all().stream().map(Room::id).toList(),
                    roomId -> rooms.find(roomId).map(Room::users).orElse(List.<RoomMember>of()),
                    settings.presenceMaxRoomUsers(), observer::occupancy));
            presenceFeed.install(b.roomPresence, room -> rooms.find(room.id()).orElse(null) == room);
        }
        if (b.presenceStore != null) {
            b.presenceStore.start(new PresenceStore.LocalPresence() {
                @Override
                public Collection<String> onlineUserIds() {
                    return users.onlineUserIds();
                }

                @Override
                public int connections() {
                    return connections.get();
                }

                @Override
                public void transition(String userId, boolean online) {
                    observer.presence(userId, online);
                }
            });
        }
    }

    /**
     * In a cluster, a user's first or last connection here goes to the shared presence store, which says whether it
     * was the cluster's; only then is the observer told, so a listener hears online and offline once per cluster.
     * Runs inside the directory's per-user update (the store only queues), on the store's thread when it answers.
     */
    private void shareOnline(PresenceStore store, String userId, boolean online) {
        store.share(userId, online).whenComplete((clusterWide, failure) -> {
            if (failure == null && clusterWide) {
                observer.presence(userId, online);
            }
        });
    }

    /** Rooms, users' memberships, kicks and sweeps: what the administration changes. */
    public HubAdmin admin() {
        return admin;
    }

    /** Stats, rooms, members, users and cluster counts: what the API and metrics read. */
    public HubQueries queries() {
        return queries;
    }

    /** Replacing a sent message's content by id ({@code message_update}), for the server's own features. */
    public Updates updates() {
        return updates;
    }

    /**
     * The ids of the {@linkplain Builder#keptRooms kept rooms} that could not be created again (the room limit, an id
     * no longer valid).
     */
    public List<String> notRestored() {
        return notRestored;
    }

    // ---- connections (on the connection's executor) ----

    /**
     * Registers a new connection, greets it with {@code welcome} and puts it in {@code roomId}. Call on the
     * connection's executor, after checking the room exists (a missing room throws {@code room_not_found}). In a
     * cluster, when no connection on this node is in the room yet, the welcome and the entry follow a moment later,
     * on the same executor, once the node has caught the room up with its shared stream.
     */
    public Session connect(Identity identity, Connection connection, String roomId) {
        return connect(identity, connection, roomId, null);
    }

    /**
     * Like {@link #connect(Identity, Connection, String)}, and when {@code resumeFrom} is given, replays what the
     * client missed in that room before anything live, then answers {@code resumed}.
     */
    public Session connect(Identity identity, Connection connection, String roomId, StreamPosition resumeFrom) {
        return connect(identity, connection, roomId, resumeFrom, null);
    }

    /**
     * Like {@link #connect(Identity, Connection, String, StreamPosition)}, and when {@code connectData} is given (a
     * JSON-shaped value: maps, lists, strings, numbers, booleans), the welcome carries it as {@code connect_data}.
     * It is the application's note for its client (the connect proxy's {@code data}), passed through unread: it
     * decides nothing here, and cannot touch the welcome's own fields, which stay the server's.
     */
    public Session connect(Identity identity, Connection connection, String roomId, StreamPosition resumeFrom,
                           Object connectData) {
        Room room = rooms.require(roomId);
        roomAccess.requireEntry(identity, roomId);
        DeliveryLane lane = lanes.computeIfAbsent(connection.executor(),
                executor -> new DeliveryLane(executor, settings.laneQueueLimit(), observer, nanoClock::nanoTime));
        int perMinute = live.rateLimitPerMinute(); // read once: a reload gives connections opened later its value
        RateLimiter limiter = perMinute > 0 ? new RateLimiter(perMinute, nanoClock) : RateLimiter.unlimited();
        Session session = new Session(ids.next(), identity, lane.outboxFor(connection), clock.instant(), limiter);
        connections.incrementAndGet();
        observer.connected(session);
        // In a cluster, a room no connection here is in is entered (and the welcome sent) once this node has caught
        // it up with the shared stream: see Membership#whenCanEnter.
        if (membership.canEnterNow(session, room)) {
            greet(session, room, resumeFrom, connectData);
        } else {
            membership.whenCanEnter(session, room, null, () -> {
                try {
                    greet(session, room, resumeFrom, connectData);
                } catch (RuntimeException failed) {
                    session.connection().close(CloseReason.INTERNAL_ERROR); // greet has unregistered it
                }
            });
        }
        return session;
    }

    /**
     * Makes a new connection reachable (broadcasts, its user's private messages), puts it in its room and sends the
     * welcome, a replay if it resumes, and what was held for it. Reachable only here, so nothing reaches the client
     * before its welcome, even when the welcome waits for the room to catch up.
     */
    private void greet(Session session, Room room, StreamPosition resumeFrom, Object connectData) {
        // Connecting to a room the user had not joined is joining it; a default room is everyone's already.
        boolean newMember = !settings.defaultRooms().contains(room.id())
                && memberships.remember(session.userId(), room.id());
        session.everyoneSlot(everyone.add(session.outbox()));
        boolean firstOfUser = users.add(session, clock.instant());
        if (firstOfUser) {
            nodeTransitions.presence(session.userId(), true);
        }
        if (newMember) {
            observer.membership(session.userId(), room.id(), true);
        }
        // Held messages are taken once the user's channel reaches this node (see below).
        CompletableFuture<Void> following = firstOfUser ? routing.followUser(session.userId()) : null;
        try {
            // Join first, so anything published once the client holds its welcome reaches it; the welcome still
            // goes out first, because live messages are queued on this executor behind the writes made here.
            Resumption resumption = resumeFrom == null ? null : membership.startResume(session, room, resumeFrom);
            if (resumption == null) {
                membership.enter(session, room);
            }
            Map<String, Object> welcome = Replies.orderedMap("client_id", session.id(), "user_id", session.userId(),
                    "room_id", room.id());
            if (connectData != null) {
                welcome.put("connect_data", connectData);
            }
            replies.send(session, new ServerMessage(null, MessageType.WELCOME, null, null, null, WELCOME_CONTENT,
                    welcome, clock.instant()));
            if (resumption != null) {
                membership.finishResume(session, room, resumption, null);
            }
        } catch (RuntimeException e) {
            disconnect(session); // never leave a half-registered session counted and online
            throw e;
        }
        enterRememberedRooms(session, room);
        if (newMember) {
            moveOthers(session, room, true);
        }
        if (following == null || following.isDone()) {
            held.to(session);
        } else {
            // Taken only once the user's channel reaches this node: a message another node holds at this instant
            // is then either in what is taken or followed by the holder's notice, which arrives here (see
            // ClusteredRouting#heldFor). Taken earlier, it could wait for the user's next connection.
            following.whenComplete((followed, failure) -> HeldDelivery.onExecutor(session, () -> {
                if (session.isOpen()) {
                    held.to(session);
                }
            }));
        }
    }

    /**
     * Puts a new connection in the other rooms its user is a member of, each announced with {@code joined} (no
     * {@code ref}) after the welcome. A room the connection's token may no longer enter (a {@code rooms} claim it
     * lacks) is skipped, and stays the user's. In a cluster, a room this node does not follow yet is entered once
     * it has caught up, like a {@code join_room}.
     */
    private void enterRememberedRooms(Session session, Room connectRoom) {
        for (String roomId : memberships.recorded(session.userId())) {
            Room room = rooms.find(roomId).orElse(null);
            if (room == null || room == connectRoom || !roomAccess.mayEnter(session.identity(), roomId)) {
                continue;
            }
            membership.whenCanEnter(session, room, null, () -> {
                if (session.isOpen() && !session.isIn(roomId) && rooms.find(roomId).orElse(null) == room) {
                    membership.enter(session, room);
                    replies.send(session, replies.reply(MessageType.JOINED, roomId, null));
                }
            });
        }
    }

    /**
     * A user joined or left a room through one connection: their other connections follow, here and (in a cluster)
     * on the other nodes, each told with {@code joined} or {@code left} without {@code ref}.
     */
    private void moveOthers(Session mover, Room room, boolean join) {
        routing.moveElsewhere(mover.userId(), room.id(), join);
        if (join) {
            moves.joinHere(mover.userId(), room, mover);
        } else {
            moves.leaveHere(mover.userId(), room, mover);
        }
    }

    /** Forgets a closed connection: leaves its rooms (telling the others) and goes offline. Idempotent. */
    public void disconnect(Session session) {
        if (!session.isOpen()) {
            return;
        }
        session.markClosed();
        List<String> roomIds = List.copyOf(session.roomIds());
        for (String roomId : roomIds) {
            rooms.find(roomId).ifPresent(room -> membership.exit(session, room));
        }
        // Only once out of every room: a connection of the same user arriving meanwhile on another loop must find
        // the user's entry (and the rooms it records) still there, or it would start a fresh one that misses the
        // rooms it shares with this connection, and the rooms would be told the user went offline.
        boolean lastOfUser = users.remove(session);
        if (lastOfUser) {
            // After leaving, so the closing connection itself is not written to; the rooms still hear it.
            presence.wentOffline(session.userId(), roomIds);
            nodeTransitions.presence(session.userId(), false);
            routing.unfollowUser(session.userId());
        }
        if (session.everyoneSlot() != null) { // null: closed while its welcome waited for the room (never greeted)
            everyone.remove(session.everyoneSlot());
        }
        connections.decrementAndGet();
    }

    /** Handles one decoded message from a connection. Refusals are answered with an {@code error} frame. */
    public void onMessage(Session session, ClientMessage message) {
        if (!session.isOpen()) {
            return;
        }
        if (!takeRateToken(session, message.id())) {
            return;
        }
        try {
            String type = message.type();
            if (type == null) {
                throw new ProtocolException(ErrorCode.MISSING_FIELD, "a message needs a 'type'");
            }
            // A status message sets the status itself; counting it as activity first could flicker away→online→away.
            if (!type.equals(MessageType.PING) && !type.equals(MessageType.STATUS)) {
                presence.activity(session.userId());
            }
            switch (type) {
                case MessageType.PING -> replies.send(session, replies.reply(MessageType.PONG, null, message.id()));
                case MessageType.JOIN_ROOM -> moveOthers(session, membership.joinRoom(session, message), true);
                case MessageType.LEAVE_ROOM -> moveOthers(session, membership.leaveRoom(session, message), false);
                case MessageType.RESUME -> {
                    Room joined = membership.resumeRoom(session, message);
                    if (joined != null) {
                        moveOthers(session, joined, true);
                    }
                }
                case MessageType.STATUS -> {
                    control.chooseStatus(session, message);
                    observer.statusChosen(session.userId(), users.status(session.userId()).wireName());
                    routing.shareStatus(session.userId());
                }
                case MessageType.REFRESH -> control.refreshToken(session, message);
                case MessageType.CANCEL -> cancel(session.identity(), message);
                case MessageType.EDIT_MESSAGE -> edits.edit(session, message);
                case MessageType.DELETE_MESSAGE -> edits.delete(session, message);
                case MessageType.TYPING -> typing.typing(session, message);
                default -> {
                    CompletableFuture<Published> outcome = publisher.route(session.identity(), session, message);
                    if (outcome.isDone()) {
                        answer(session, message.id(), outcome); // the common path: no extra task
                    } else {
                        outcome.whenComplete((published, failure) -> answerLater(session, message.id(), outcome));
                    }
                }
            }
        } catch (ProtocolException refused) {
            sendError(session, refused, message.id());
        }
    }

    /**
     * A {@code cancel}: the work it names stops here, or (in a cluster) the other nodes are asked; on a single node
     * nothing running under that id is {@code not_found}. The answer is the work's own last frame (the reply's
     * {@code message_update} with state {@code cancelled}), not an ack.
     */
    private void cancel(Identity who, ClientMessage message) {
        Object id = message.control().get("id");
        if (!(id instanceof String replyId) || replyId.isEmpty()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "a cancel needs data.id, the id of the reply to stop");
        }
        if (!cancels.cancel(who, replyId) && !routing.cancelElsewhere(who, replyId)) {
            throw Updates.notFound(replyId);
        }
    }

    /**
     * Sends an {@code error} frame to every connection of {@code userId} on this node: a refusal decided away from
     * the user's connection (the assistant's limits, decided on the node that accepted the question).
     */
    public void sendError(String userId, ProtocolException error) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("code", error.code().code());
        if (error.retryAfterMillis() >= 0) {
            data.put("retry_after_ms", error.retryAfterMillis());
        }
        users.audience(userId).ifPresent(audience -> {
            var frame = replies.encoder().encode(new ServerMessage(null, MessageType.ERROR, null, null, null,
                    error.getMessage(), data, clock.instant()));
            try {
                audience.deliver(frame);
            } finally {
                frame.release();
            }
        });
    }

    /** Acks a published message that carried an id, or answers its failure; on the session's executor. */
    private void answer(Session session, String ref, CompletableFuture<Published> outcome) {
        if (!outcome.isCompletedExceptionally()) {
            if (ref != null) {
                replies.send(session, replies.ack(ref, outcome.resultNow()));
            }
            return;
        }
        Throwable failure = outcome.exceptionNow();
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (failure instanceof ProtocolException refused) {
            sendError(session, refused, ref);
        } else {
            sendError(session, new ProtocolException(ErrorCode.INTERNAL_ERROR, "the message could not be kept"), ref);
        }
    }

    private void answerLater(Session session, String ref, CompletableFuture<Published> outcome) {
        if (!outcome.isCompletedExceptionally()) {
            // isOpen is read off the session's thread here: a stale true only queues a write the closed
            // connection drops. Through the lane, acks completed together (a script call's placements) share a flush.
            if (ref != null && session.isOpen()) {
                replies.queue(session, replies.ack(ref, outcome.resultNow()));
            }
            return;
        }
        try {
            session.connection().executor().execute(() -> {
                if (session.isOpen()) {
                    answer(session, ref, outcome);
                }
            });
        } catch (RejectedExecutionException shutDown) {
            // The loop is gone, and the connection with it: there is no one left to answer.
        }
    }

    /**
     * Relays a binary frame to every other connection in the rooms this one is in, each once. The sender is left
     * out: a binary frame carries no id it could recognise as its own.
     */
    public void onBinary(Session session, EncodedFrame frame) {
        if (!session.isOpen()) {
            return;
        }
        if (!takeRateToken(session, null)) {
            return;
        }
        try {
            publisher.relay(session, frame);
        } catch (ProtocolException refused) {
            sendError(session, refused, null);
        }
    }

    /**
     * A frame that could not be read as a message costs a token like one before it is answered with why, so a
     * client sending garbage is refused and closed like one sending messages too fast instead of getting a free
     * error reply for every frame.
     */
    public void onMalformed(Session session, ProtocolException malformed) {
        if (session.isOpen() && takeRateToken(session, null)) {
            sendError(session, malformed, null);
        }
    }

    /**
     * Charges a frame that is no message (a WebSocket ping, which the transport answers itself) to the connection's
     * rate limit like one; false when it must be dropped unanswered, the refusal having been handled as for messages.
     */
    public boolean chargeFrame(Session session) {
        return session.isOpen() && takeRateToken(session, null);
    }

    /**
     * False when the message must be dropped: answered with {@code rate_limited} and when to retry, or, for a client
     * that keeps sending far past its limit, by closing the connection with 1008.
     */
    private boolean takeRateToken(Session session, String ref) {
        RateLimiter limiter = session.rateLimiter();
        if (limiter.tryAcquire()) {
            return true;
        }
        if (limiter.abusive()) {
            session.connection().close(CloseReason.RATE_LIMIT_ABUSE);
            return false;
        }
        sendError(session, new ProtocolException(ErrorCode.RATE_LIMITED, "more than " + limiter.perMinute()
                + " messages a minute; this one was dropped", limiter.retryAfterMillis()), ref);
        return false;
    }

    /** Sends an {@code error} frame; {@code ref} is the client's message id, if it gave one. */
    public void sendError(Session session, ProtocolException error, String ref) {
        observer.refused(session, error.code());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("code", error.code().code());
        if (ref != null) {
            data.put("ref", ref);
        }
        if (error.retryAfterMillis() >= 0) {
            data.put("retry_after_ms", error.retryAfterMillis());
        }
        replies.send(session, new ServerMessage(null, MessageType.ERROR, null, null, null, error.getMessage(), data,
                clock.instant()));
    }

    /**
     * Writes a message the hub did not make to the session, straight to its connection: an answer decided outside the
     * hub (a proxy's {@code rpc_result}, or an {@code error} with the code an application backend chose). Call on the
     * session's executor.
     */
    public void send(Session session, ServerMessage message) {
        if (session.isOpen()) {
            replies.send(session, message);
        }
    }

    /** Tells the client its token runs out at {@link Session#tokenExpiresAt()}; call on the session's executor. */
    public void warnTokenExpiring(Session session) {
        if (session.isOpen()) {
            replies.send(session, replies.reply(MessageType.TOKEN_EXPIRING, null, null,
                    "expires_at", session.tokenExpiresAt().toString()));
        }
    }

    /** The transport closed a connection that could not keep up; counted for stats. */
    public void slowConsumerClosed() {
        slowConsumers.incrementAndGet();
    }

    // ---- the API for REST and embedding (any thread) ----

    /**
     * Publishes a {@code room_message}, {@code private_message} or {@code broadcast} on behalf of a user who is not
     * speaking through a connection (REST, the embedding API). Admins may post to rooms they are not in. A message
     * with an {@code id} the same user already sent within the dedup window is not sent again; the answer is the
     * first one's. A refusal decided at once is thrown as a {@link ProtocolException}; the future is already complete
     * unless the ack waits for the message to be kept ({@link Builder#messageSink}), and then it may also fail with
     * one.
     */
    public CompletableFuture<Published> publish(Identity sender, ClientMessage message) {
        String type = message.type();
        if (type == null) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "a message needs a 'type'");
        }
        if (!type.equals(MessageType.ROOM_MESSAGE) && !type.equals(MessageType.PRIVATE_MESSAGE)
                && !type.equals(MessageType.BROADCAST)) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    "type must be room_message, private_message or broadcast, not '" + type + "'");
        }
        // A copy, so a caller completing what it got cannot answer for the retries that share the original.
        return publisher.route(sender, null, message).copy();
    }

    /** Tells every connection to reconnect elsewhere and closes it, e.g. on shutdown. */
    public void closeAll(CloseReason reason) {
        users.forEachSession(session -> {
            if (reason.code() == CloseReason.SHUTTING_DOWN.code()) {
                replies.send(session, new ServerMessage(null, MessageType.RECONNECT, null, null, null,
                        RECONNECT_CONTENT, null, clock.instant()));
            }
            session.connection().close(reason);
        });
    }

    public Clock clock() {
        return clock;
    }

    /** What another node asks of this one, through the clustered routing. */
    private final class FromOtherNodes implements ClusteredRouting.Local {
        @Override
        public void moveHere(String userId, String roomId, boolean join) {
            admin.movedElsewhere(userId, roomId, join);
        }

        @Override
        public void statusHere(String userId, String status) {
            UserStatus.choosable(status).ifPresent(chosen -> presence.choose(userId, chosen));
        }

        @Override
        public void idleHere(String userId) {
            presence.idleElsewhere(userId);
        }

        @Override
        public void activeHere(String userId) {
            presence.activeElsewhere(userId);
        }

        @Override
        public void heldHere(String userId) {
            held.toUserHere(userId);
        }

        @Override
        public void createHere(SharedRoomSpec room) {
            admin.createShared(room);
        }

        @Override
        public void closeHere(Room room) {
            admin.closedElsewhere(room);
        }

        @Override
        public void cancelHere(Identity who, String replyId) {
            try {
                cancels.cancel(who, replyId);
            } catch (ProtocolException refused) {
                // Not this user's to stop: the node that received the cancel cannot be answered from here.
            }
        }
    }

    /** A room member as the API reports them. */
    public record MemberInfo(RoomMember member, UserStatus status) {
    }

    /**
     * Everything a hub is made of, given before it exists. Required: the settings, the encoder and the clocks. The
     * rest defaults to a single node keeping everything in memory: history sized by the settings, no message sink,
     * offline messages held in memory ({@value #DEFAULT_OFFLINE_MAX_MESSAGES} per user within {@code history_ttl}),
     * {@link Permissions#DEFAULT}, refresh refused as unsupported, no content filter, no observer.
     */
    public static final class Builder {
        private final HubSettings settings;
        private final Encoder encoder;
        private final Clock clock;
        private final RateLimiter.NanoClock nanoClock;
        private HubObserver observer = HubObserver.NONE;
        private HistoryStore history;
        private MessageStore store;
        private MessageSink sink;
        private OfflineMessages offline;
        private List<RoomRecord> keptRooms = List.of();
        private Broker broker;
        private Duration catchUp;
        private SharedRetries sharedRetries;
        private SharedActivity sharedActivity;
        private PresenceStore presenceStore;
        private RoomPresence roomPresence;
        private Permissions permissions = Permissions.DEFAULT;
        private TokenCheck tokenCheck = TokenCheck.UNSUPPORTED;
        private ContentFilter contentFilter = ContentFilter.NONE;
        private Cancels cancels = Cancels.NONE;
        private Duration editWindow = DEFAULT_EDIT_WINDOW;
        // A virtual thread per edit: the store lookup may block on a database; the rate limit bounds how many.
        private Executor editLookups = task -> Thread.ofVirtual().name("relay-edit").start(task);

        private Builder(HubSettings settings, Encoder encoder, Clock clock, RateLimiter.NanoClock nanoClock) {
            this.settings = Objects.requireNonNull(settings, "settings");
            this.encoder = Objects.requireNonNull(encoder, "encoder");
            this.clock = Objects.requireNonNull(clock, "clock");
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        }

        /** Told of connections, room changes, accepted and refused messages and flushed deliveries. */
        public Builder observer(HubObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /** Where room streams are kept for resume. */
        public Builder history(HistoryStore history) {
            this.history = history;
            return this;
        }

        /**
         * A store as the sink of accepted messages, the holder of offline ones (unless {@link #offlineMessages} names
         * another), and the keeper of rooms created at runtime.
         */
        public Builder messageStore(MessageStore store) {
            this.store = store;
            return this;
        }

        /** Where accepted room and private messages are kept, instead of the store's; acks wait for it. */
        public Builder messageSink(MessageSink sink) {
            this.sink = sink;
            return this;
        }

        /** Where private messages for users with no live connection are held, whatever the store. */
        public Builder offlineMessages(OfflineMessages offline) {
            this.offline = offline;
            return this;
        }

        /**
         * Rooms a store kept from an earlier run, created again (with their access lists) before the hub joins a
         * cluster; rooms that exist already, such as default rooms, are skipped. See {@link Hub#notRestored}.
         */
        public Builder keptRooms(List<RoomRecord> kept) {
            this.keptRooms = List.copyOf(kept);
            return this;
        }

        /**
         * Makes the hub one node of a cluster: room messages take their {@code seq} from the broker's shared stream
         * and are delivered as they arrive from it, private messages and broadcasts reach the other nodes. A room is
         * followed while a connection here is in it: the first one to arrive makes the node subscribe and bring the
         * room up to date from its shared stream, the last one to leave unsubscribes. {@link #build} connects and
         * reads the rooms other nodes created, waiting up to {@code catchUp}. A connection entering or resuming a
         * room this node does not follow yet waits up to {@code catchUp} for it to catch up (so a client resuming on
         * a node that just started finds what it missed), then is answered from what the node has.
         */
        public Builder broker(Broker broker, Duration catchUp) {
            this.broker = Objects.requireNonNull(broker, "broker");
            this.catchUp = Objects.requireNonNull(catchUp, "catchUp");
            return this;
        }

        /**
         * Recognises retried ids of private messages and broadcasts across the cluster (room messages are recognised
         * by their shared stream).
         */
        public Builder sharedRetries(SharedRetries retries) {
            this.sharedRetries = retries;
            return this;
        }

        /**
         * Makes automatic {@code away} cluster-wide: a user turns away only once idle on every node, every node then
         * reports it, and activity on any node brings them back everywhere. Needs a {@link #broker}.
         */
        public Builder sharedActivity(SharedActivity activity) {
            this.sharedActivity = activity;
            return this;
        }

        /** Shares this node's online users and connections with the cluster; started by {@link #build}. */
        public Builder presenceStore(PresenceStore store) {
            this.presenceStore = store;
            return this;
        }

        /**
         * Shares who is in which room with the other nodes: a user's arrival and departure are announced once for the
         * whole cluster, and {@link HubQueries#clusterMembers} and {@link HubQueries#clusterRoomInfos} report every
         * node. Started by {@link #build}.
         */
        public Builder roomPresence(RoomPresence shared) {
            this.roomPresence = shared;
            return this;
        }

        /** Who may do what. */
        public Builder permissions(Permissions permissions) {
            this.permissions = Objects.requireNonNull(permissions, "permissions");
            return this;
        }

        /** How {@code refresh} tokens are verified. */
        public Builder tokenCheck(TokenCheck check) {
            this.tokenCheck = Objects.requireNonNull(check, "check");
            return this;
        }

        /** The message filter applied to the content of every room message, private message and broadcast. */
        public Builder contentFilter(ContentFilter filter) {
            this.contentFilter = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /** How long after sending its author may edit a message ({@code edit_window}). */
        public Builder editWindow(Duration window) {
            if (window.isNegative()) {
                throw new IllegalArgumentException("edit window must not be negative: " + window);
            }
            this.editWindow = window;
            return this;
        }

        /** Where an edit looks its message up (off the event loops); tests pass a direct executor. */
        public Builder editLookups(Executor lookups) {
            this.editLookups = Objects.requireNonNull(lookups, "lookups");
            return this;
        }

        /** What stops work in the server that a client's {@code cancel} names (the assistant's replies). */
        public Builder cancels(Cancels cancels) {
            this.cancels = Objects.requireNonNull(cancels, "cancels");
            return this;
        }

        /**
         * Builds the hub, creates its default and kept rooms, and, in a cluster, connects to the broker and starts
         * the shared presence; call once, before the first connection.
         */
        public Hub build() {
            if (sharedActivity != null && broker == null) {
                throw new IllegalStateException("shared activity needs a broker: automatic statuses travel through it");
            }
            return new Hub(this);
        }
    }
}
