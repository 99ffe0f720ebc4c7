package dev.relay.core;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.PresenceStore;
import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.cluster.SharedActivity;
import dev.relay.core.cluster.SharedRetries;
import dev.relay.core.cluster.SharedRoom;
import dev.relay.core.delivery.Audience;
import dev.relay.core.delivery.Connection;
import dev.relay.core.delivery.DeliveryLane;
import dev.relay.core.delivery.EncodedFrame;
import dev.relay.core.delivery.Encoder;
import dev.relay.core.history.HistoryStore;
import dev.relay.core.history.MemoryHistoryStore;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.policy.ContentFilter;
import dev.relay.core.policy.MessageRules;
import dev.relay.core.policy.Permissions;
import dev.relay.core.policy.RateLimiter;
import dev.relay.core.policy.RoomAccess;
import dev.relay.core.policy.TokenCheck;
import dev.relay.core.presence.Presence;
import dev.relay.core.presence.SharedRooms;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Resumption;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomContext;
import dev.relay.core.room.RoomIds;
import dev.relay.core.room.RoomInfo;
import dev.relay.core.room.RoomMember;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.room.RoomSpec;
import dev.relay.core.session.Identity;
import dev.relay.core.session.Session;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.session.UserIds;
import dev.relay.core.session.UserInfo;
import dev.relay.core.session.UserStatus;
import dev.relay.core.store.MemoryOfflineMessages;
import dev.relay.core.store.MessageSink;
import dev.relay.core.store.MessageStore;
import dev.relay.core.store.OfflineMessages;
import dev.relay.core.store.OfflineStats;
import dev.relay.core.store.RoomRecord;

import java.time.Clock;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The entry point of the domain: the transport calls it for connections and their messages, the REST API and the
 * embedding API for everything else.
 *
 * <p>Threading: methods taking a {@link Session} run on that session's executor (its event loop), which owns the
 * session's state. Everything else is safe from any thread; work on a session is handed to its executor.
 */
public final class Hub {
    public static final String WELCOME_CONTENT = "欢迎连接到WebSocket服务";
    public static final String RECONNECT_CONTENT = "the server is shutting down; reconnect";
    /** Private messages held per offline user until a store is installed (the default of offline_max_messages). */
    public static final int DEFAULT_OFFLINE_MAX_MESSAGES = 1000;
    /** The type {@link HubObserver#accepted} reports for a relayed binary frame. */
    public static final String BINARY = "binary";

    private final HubSettings settings;
    private final Encoder encoder;
    private final Clock clock;
    private final RateLimiter.NanoClock nanoClock;
    private final IdGenerator ids;
    private final MessageRules rules;
    private final RoomAccess roomAccess = new RoomAccess();
    private final RoomRegistry rooms;
    private final UserDirectory users = new UserDirectory();
    private final Presence presence;
    /** In a cluster, where changes of room membership go to be announced once for every node. */
    private final SharedRooms sharedRooms;
    private final Publisher publisher;
    private final Membership membership;
    /** The rooms each user joined and has not left, across their connections and reconnects. */
    private final RoomMemberships memberships;
    private final SessionControl control;
    private final Audience everyone = new Audience();
    private final Map<Executor, DeliveryLane> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong slowConsumers = new AtomicLong();
    private final HubObserver observer;
    private final Moderation moderation;
    /** Shared by reference with the helpers, so what the setters install is seen everywhere at once. */
    private final Policies policies = new Policies();
    private final Replies replies;
    private final HeldDelivery held;
    private final ClusterViews clusterViews;
    /** Told of rooms created and closed, when one is installed. */
    private volatile MessageStore store;
    /** Set once when the hub joins a cluster; null for a single node. */
    private volatile ClusterLink cluster;
    /** Set once when the hub joins a cluster that shares presence; null for a single node. */
    private volatile PresenceStore presenceStore;

    /** A hub whose room history lives in memory, sized by the settings. */
    public Hub(HubSettings settings, Encoder encoder, Clock clock, RateLimiter.NanoClock nanoClock) {
        this(settings, encoder, clock, nanoClock, HubObserver.NONE);
    }

    /** @param observer told of connections, room changes, accepted and refused messages and flushed deliveries */
    public Hub(HubSettings settings, Encoder encoder, Clock clock, RateLimiter.NanoClock nanoClock,
               HubObserver observer) {
        this(settings, encoder, new MemoryHistoryStore(settings.historySize(), settings.historyTtl(), clock), clock,
                nanoClock, observer);
    }

    /**
     * @param history  where room streams are kept for resume
     * @param observer told of connections, room changes, accepted and refused messages and flushed deliveries
     */
    public Hub(HubSettings settings, Encoder encoder, HistoryStore history, Clock clock,
               RateLimiter.NanoClock nanoClock, HubObserver observer) {
        this.observer = observer;
        this.settings = settings;
        this.encoder = encoder;
        this.clock = clock;
        this.nanoClock = nanoClock;
        this.ids = new IdGenerator(clock);
        this.replies = new Replies(encoder, clock);
        this.rules = new MessageRules(settings.maxMessageLength());
        this.sharedRooms = new SharedRooms(clock, settings.enableUserPresence());
        this.rooms = new RoomRegistry(new RoomContext(encoder, history, clock, sharedRooms), settings.maxRooms());
        this.presence = new Presence(rooms, users, encoder, clock, settings.enableUserPresence(),
                settings.presenceMaxRoomUsers(), settings.enableUserStatus(), settings.userStatusTimeout(),
                sharedRooms);
        this.publisher = new Publisher(settings, policies, rules, rooms, roomAccess, users, presence, everyone, ids,
                encoder, clock, observer);
        publisher.offline(new MemoryOfflineMessages(DEFAULT_OFFLINE_MAX_MESSAGES, settings.historyTtl(), clock));
        this.held = new HeldDelivery(publisher::offline, users, replies);
        this.clusterViews = new ClusterViews(sharedRooms, users);
        publisher.onHeld(held::toUserHere);
        this.memberships = new RoomMemberships();
        publisher.memberships(memberships);
        this.membership = new Membership(settings, rules, rooms, roomAccess, presence, memberships, observer, replies,
                clock);
        this.control = new SessionControl(policies, presence, users, replies);
        rooms.createDefaults(settings.defaultRooms());
        this.moderation = new Moderation(rooms, users, policies, replies, clock, observer);
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
        Room room = rooms.require(roomId);
        roomAccess.requireEntry(identity, roomId);
        DeliveryLane lane = lanes.computeIfAbsent(connection.executor(),
                executor -> new DeliveryLane(executor, settings.laneQueueLimit(), observer, nanoClock::nanoTime));
        RateLimiter limiter = settings.rateLimitPerMinute() > 0
                ? new RateLimiter(settings.rateLimitPerMinute(), nanoClock)
                : RateLimiter.unlimited();
        Session session = new Session(ids.next(), identity, lane.outboxFor(connection), clock.instant(), limiter);
        connections.incrementAndGet();
        observer.connected(session);
        // In a cluster, a room no connection here is in is entered (and the welcome sent) once this node has caught
        // it up with the shared stream: see Membership#whenCanEnter.
        if (membership.canEnterNow(session, room)) {
            greet(session, room, resumeFrom);
        } else {
            membership.whenCanEnter(session, room, null, () -> {
                try {
                    greet(session, room, resumeFrom);
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
    private void greet(Session session, Room room, StreamPosition resumeFrom) {
        // Connecting to a room the user had not joined is joining it; a default room is everyone's already.
        boolean newMember = !settings.defaultRooms().contains(room.id())
                && memberships.remember(session.userId(), room.id());
        session.everyoneSlot(everyone.add(session.outbox()));
        boolean firstOfUser = users.add(session, clock.instant());
        if (firstOfUser) {
            observer.presence(session.userId(), true);
        }
        if (newMember) {
            observer.membership(session.userId(), room.id(), true);
        }
        ClusterLink link = cluster;
        // Held messages are taken once the user's channel reaches this node (see below).
        CompletableFuture<Void> following = firstOfUser && link != null
                ? link.broker().followUser(session.userId()) : null;
        try {
            // Join first, so anything published once the client holds its welcome reaches it; the welcome still
            // goes out first, because live messages are queued on this executor behind the writes made here.
            Resumption resumption = resumeFrom == null ? null : membership.startResume(session, room, resumeFrom);
            if (resumption == null) {
                membership.enter(session, room);
            }
            replies.send(session, new ServerMessage(null, MessageType.WELCOME, null, null, null, WELCOME_CONTENT,
                    Replies.orderedMap("client_id", session.id(), "user_id", session.userId(), "room_id", room.id()),
                    clock.instant()));
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
            // ClusterLink#heldFor). Taken earlier, it could wait for the user's next connection.
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
        ClusterLink link = cluster;
        if (link != null) {
            link.moveElsewhere(mover.userId(), room.id(), join);
        }
        if (join) {
            joinHere(mover.userId(), room, mover);
        } else {
            leaveHere(mover.userId(), room, mover);
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
            observer.presence(session.userId(), false);
            ClusterLink link = cluster;
            if (link != null) {
                link.broker().unfollowUser(session.userId());
            }
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
                    ClusterLink link = cluster;
                    if (link != null) {
                        // Even when unchanged: choosing "away" while automatically away makes it a chosen status,
                        // which activity on another node must then leave alone there too.
                        link.shareStatus(session.userId(), users.status(session.userId()).wireName());
                    }
                }
                case MessageType.REFRESH -> control.refreshToken(session, message);
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
        sendError(session, new ProtocolException(ErrorCode.RATE_LIMITED, "more than " + settings.rateLimitPerMinute()
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

    /** Installs how {@code refresh} tokens are verified; until called, refresh is refused as unsupported. */
    public void tokenCheck(TokenCheck check) {
        policies.tokenCheck(check);
    }

    /** Installs the message filter applied to the content of every room message, private message and broadcast. */
    public void contentFilter(ContentFilter filter) {
        policies.contentFilter(filter);
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
     * speaking through a connection (REST, the embedding API). A room message needs the user to be a member who may
     * enter the room (joined and not left, or connected in it); admins may post to rooms they are not in. A message
     * with an {@code id} the same user already sent within the dedup window is not sent again; the answer is the
     * first one's. A refusal decided at once is thrown as a {@link ProtocolException}; the future is already complete
     * unless the ack waits for the message to be kept ({@link #messageSink}), and then it may also fail with one.
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

    /** Installs where accepted room and private messages are kept; until called, nowhere, and acks never wait. */
    public void messageSink(MessageSink sink) {
        publisher.sink(sink);
    }

    /**
     * Installs where private messages for users with no live connection are held; until called, in memory, at most
     * {@value #DEFAULT_OFFLINE_MAX_MESSAGES} per user within {@code history_ttl}, and within the default totals of
     * {@link MemoryOfflineMessages} for all users together.
     */
    public void offlineMessages(OfflineMessages offline) {
        publisher.offline(offline);
    }

    /** Lets the holder of offline messages drop what expired; the server calls it periodically. */
    public void sweepOfflineMessages() {
        publisher.offline().sweep();
    }

    /** What the holder of offline messages holds and has dropped. */
    public OfflineStats offlineStats() {
        return publisher.offline().stats();
    }

    /**
     * Installs a store as the sink of accepted messages, the holder of offline ones, and the keeper of rooms created
     * at runtime.
     */
    public void messageStore(MessageStore store) {
        publisher.sink(store);
        publisher.offline(store);
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
     * the broker ({@link Broker#claimRoom}), atomically for every node: an id any node created (even one this node
     * lacks, for its room limit or a missed announcement) fails the future with {@code room_exists}, and nothing
     * changes anywhere; a broker that cannot be reached fails it with {@code temporarily_unavailable}.
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
        ClusterLink link = cluster;
        if (link == null) {
            RoomInfo created = createHere(spec, isPrivate, allowed).info();
            observer.roomCreated(created.id(), actor.userId());
            return CompletableFuture.completedFuture(created);
        }
        if (rooms.find(checked.id()).isPresent()) {
            throw new ProtocolException(ErrorCode.ROOM_EXISTS, "room '" + checked.id() + "' already exists");
        }
        SharedRoom shared = new SharedRoom(checked.id(), checked.name(), checked.description(), isPrivate,
                isPrivate ? allowed : Set.of());
        return link.claim(shared).handle((claimed, failure) -> {
            if (failure != null) {
                throw new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                        "the cluster could not be reached; the room was not created, retry later");
            }
            if (!claimed) {
                throw new ProtocolException(ErrorCode.ROOM_EXISTS, "room '" + checked.id() + "' already exists");
            }
            Room room;
            try {
                room = createHere(spec, isPrivate, allowed);
            } catch (RuntimeException refused) {
                link.unclaim(checked.id());
                throw refused;
            }
            link.shareCreated(shared);
            observer.roomCreated(room.id(), actor.userId());
            return room.info();
        });
    }

    /** Creates the room on this node with its access list, and keeps it in the store as it was asked for. */
    private Room createHere(RoomSpec spec, boolean isPrivate, Set<String> allowed) {
        Room room = rooms.create(spec, accessOf(spec.id(), isPrivate, allowed));
        memberships.forgetRoom(spec.id()); // a new room under a closed one's id starts with no members
        MessageStore kept = store;
        if (kept != null) {
            kept.roomCreated(new RoomRecord(spec.id(), spec.name(), spec.description(), isPrivate ? allowed : null));
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

    /** The same as {@link #closeRoom}: deleting a room is closing it. */
    public CompletableFuture<Integer> deleteRoom(Identity actor, String roomId) {
        return closeRoom(actor, roomId);
    }

    /**
     * Makes this hub one node of a cluster: room messages take their {@code seq} from the broker's shared stream and
     * are delivered as they arrive from it, private messages and broadcasts reach the other nodes. A room is followed
     * while a connection here is in it: the first one to arrive makes the node subscribe and bring the room up to
     * date from its shared stream, the last one to leave unsubscribes. Call once, after construction and before the
     * first connection: it connects and reads the rooms other nodes created, waiting up to {@code catchUp}. A
     * connection entering or resuming a room this node does not follow yet waits up to {@code catchUp} for it to catch
     * up (so a client resuming on a node that just started finds what it missed), then is answered from what the node
     * has.
     */
    public void broker(Broker broker, java.time.Duration catchUp) {
        if (cluster != null) {
            throw new IllegalStateException("a broker is already installed");
        }
        ClusterLink link = new ClusterLink(broker, rooms, users, everyone, encoder, settings.historySize(), catchUp,
                new ClusterLink.Local() {
                    @Override
                    public void moveHere(String userId, String roomId, boolean join) {
                        rooms.find(roomId).ifPresent(room -> {
                            // Recorded here too, for the user's next connection to this node.
                            if (join) {
                                memberships.remember(userId, room.id());
                                joinHere(userId, room, null);
                            } else {
                                memberships.forget(userId, roomId);
                                leaveHere(userId, room, null);
                            }
                        });
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
                    public void createHere(SharedRoom room) {
                        createSharedRoom(room);
                    }

                    @Override
                    public void closeHere(String roomId) {
                        rooms.find(roomId).ifPresent(room -> {
                            roomAccess.forget(roomId);
                            MessageStore kept = store; // a store of this node's own, or shared: deleting is idempotent
                            if (kept != null) {
                                kept.roomClosed(roomId, room.position().epoch());
                            }
                            memberships.forgetRoom(roomId);
                            ClusterLink link = cluster;
                            if (link != null) {
                                link.unfollow(room);
                            }
                            moderation.closeRoom(Identity.SYSTEM, room);
                        });
                    }
                });
        broker.start(link);
        publisher.cluster(link);
        try {
            // Rooms other nodes created before this one started.
            broker.savedRooms().get(catchUp.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).values()
                    .forEach(saved -> createSharedRoom(SharedRoom.decode(saved)));
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException slow) {
            throw new IllegalStateException("could not read the cluster's rooms from the broker", slow);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        membership.cluster(link);
        cluster = link;
    }

    /**
     * Recognises retried ids of private messages and broadcasts across the cluster (room messages are recognised by
     * their shared stream); call once, at start, after {@link #broker}.
     */
    public void sharedRetries(SharedRetries retries) {
        publisher.sharedRetries(retries);
    }

    /**
     * Makes automatic {@code away} cluster-wide: a user turns away only once idle on every node, every node then
     * reports it, and activity on any node brings them back everywhere. Call once, at start, after {@link #broker}.
     */
    public void sharedActivity(SharedActivity activity) {
        ClusterLink link = cluster;
        if (link == null) {
            throw new IllegalStateException("install the broker first: automatic statuses travel through it");
        }
        presence.cluster(activity, link::shareAutomatic);
    }

    /** Shares this node's online users and connections with the cluster; call once, at start. */
    public void presenceStore(PresenceStore store) {
        if (presenceStore != null) {
            throw new IllegalStateException("a presence store is already installed");
        }
        store.start(new PresenceStore.LocalPresence() {
            @Override
            public java.util.Collection<String> onlineUserIds() {
                return users.onlineUserIds();
            }

            @Override
            public int connections() {
                return connections.get();
            }
        });
        presenceStore = store;
    }

    /** Online users and connections across the cluster, when this node shares presence with others. */
    public Optional<PresenceStore.ClusterCounts> clusterCounts() {
        PresenceStore store = presenceStore;
        return store == null ? Optional.empty() : Optional.of(store.counts());
    }

    /**
     * Shares who is in which room with the other nodes: from now on a user's arrival and departure are announced
     * once for the whole cluster, and {@link #clusterMembers} and {@link #clusterRoomInfos} report every node. Call
     * once, at start, before the first connection.
     */
    public void roomPresence(RoomPresence shared) {
        if (sharedRooms.shared() != null) {
            throw new IllegalStateException("a room presence is already installed");
        }
        shared.start(sharedRooms.localRooms(
                () -> rooms.all().stream().map(Room::id).toList(),
                roomId -> rooms.find(roomId).map(Room::users).orElse(List.of()),
                settings.presenceMaxRoomUsers()));
        sharedRooms.install(shared, room -> rooms.find(room.id()).orElse(null) == room);
    }

    /**
     * The users in a room on every node, oldest member first; on a single node (or while the cluster's presence
     * cannot be read) the same as {@link #roomMembers}.
     */
    public CompletableFuture<List<MemberInfo>> clusterMembers(String roomId) {
        return clusterViews.members(roomId, roomMembers(roomId));
    }

    /**
     * Every room with its users and connections on every node; on a single node (or while the cluster's presence
     * cannot be read) the same as {@link #roomInfos}.
     */
    public CompletableFuture<List<RoomInfo>> clusterRoomInfos() {
        return clusterViews.roomInfos(roomInfos());
    }

    /** Creates here a room another node created; one this node cannot take (its room limit) is left out, logged. */
    private void createSharedRoom(SharedRoom shared) {
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

    /** The broker this node publishes through, if it is part of a cluster. */
    public Optional<Broker> broker() {
        ClusterLink link = cluster;
        return link == null ? Optional.empty() : Optional.of(link.broker());
    }

    /** Installs who may do what; until called, {@link Permissions#DEFAULT}. */
    public void permissions(Permissions permissions) {
        policies.permissions(permissions);
    }

    /** Which rooms are private and who may enter them. */
    public RoomAccess roomAccess() {
        return roomAccess;
    }

    /**
     * Makes the user a member of the room, whether or not they are connected, and puts every live connection of
     * theirs in it, each told with {@code joined} (no {@code ref}); their later connections enter it too. Completes
     * with the number of connections moved on this node; in a cluster the user's connections on the other nodes
     * move too, as the request reaches them. Who may enter is the caller's to check ({@link #roomAccess}).
     */
    public CompletableFuture<Integer> joinUser(String userId, String roomId) {
        Room room = existingRoom(roomId);
        if (memberships.remember(userId, room.id())) {
            observer.membership(userId, room.id(), true);
        }
        ClusterLink link = cluster;
        if (link != null) {
            link.moveElsewhere(userId, roomId, true);
        }
        return joinHere(userId, room, null);
    }

    /** Puts the user's connections here other than {@code except} (null: all) in the room. */
    private CompletableFuture<Integer> joinHere(String userId, Room room, Session except) {
        return onEachSession(userId, session -> {
            // The room may have been closed since it was looked up; entering it now would leave a stale membership.
            if (session != except && session.isOpen() && !session.isIn(room.id())
                    && roomAccess.mayEnter(session.identity(), room.id())
                    && rooms.find(room.id()).orElse(null) == room) {
                membership.enter(session, room);
                replies.send(session, replies.reply(MessageType.JOINED, room.id(), null));
                return true;
            }
            return false;
        });
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
        ClusterLink link = cluster;
        if (link != null) {
            link.moveElsewhere(userId, roomId, false);
        }
        return leaveHere(userId, room, null);
    }

    /** Takes the user's connections here other than {@code except} (null: all) out of the room. */
    private CompletableFuture<Integer> leaveHere(String userId, Room room, Session except) {
        return onEachSession(userId, session -> {
            if (session != except && session.isOpen() && session.isIn(room.id())) {
                membership.exit(session, room);
                replies.send(session, replies.reply(MessageType.LEFT, room.id(), null));
                return true;
            }
            return false;
        });
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
        MessageStore kept = store;
        if (kept != null) {
            kept.roomClosed(roomId, room.position().epoch());
        }
        ClusterLink link = cluster;
        if (link != null) {
            link.unfollow(room);
            link.shareClosed(roomId);
        }
        CompletableFuture<Integer> closed = moderation.closeRoom(actor, room);
        observer.roomDeleted(roomId, actor.userId());
        RoomPresence shared = sharedRooms.shared();
        if (shared != null) {
            shared.forget(roomId);
        }
        return closed;
    }

    /**
     * Creates again the rooms a store kept from an earlier run (rooms that exist already, such as default rooms, are
     * skipped), with their access lists; call at startup, before clients connect. Returns the ids of rooms that could
     * not be created (the room limit, an id no longer valid).
     */
    public List<String> restoreRooms(List<RoomRecord> kept) {
        List<String> failed = new java.util.ArrayList<>();
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

    /**
     * Closes every connection of a user (admins only) with {@code reason}, which the client receives in the close
     * frame. Returns how many connections are being closed; each goes through {@link #disconnect} as it ends.
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

    /** The users in a room with their status, oldest member first. */
    public List<MemberInfo> roomMembers(String roomId) {
        Room room = existingRoom(roomId);
        return room.users().stream()
                .sorted(Comparator.comparing(RoomMember::joinedAt).thenComparing(RoomMember::userId))
                .map(member -> new MemberInfo(member, users.status(member.userId())))
                .toList();
    }

    /** A user's status, connections and rooms; offline users are reported as such. */
    public UserInfo user(String userId) {
        return users.info(userId).orElseGet(() -> new UserInfo(userId, userId, UserStatus.OFFLINE, 0, List.of()));
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

    public HubStats stats() {
        List<RoomInfo> infos = roomInfos();
        return new HubStats(infos.size(), users.onlineCount(), connections.get(), publisher.totalMessages(),
                slowConsumers.get(), infos, clock.instant());
    }

    public List<RoomInfo> roomInfos() {
        return rooms.sorted().stream().map(Room::info).toList();
    }

    /** True when a live connection of the user is in the room. */
    public boolean isInRoom(String roomId, String userId) {
        return rooms.find(roomId).map(room -> room.hasUser(userId)).orElse(false);
    }

    /**
     * True when the user is a member of the existing room, connected or not: they joined it and have not left, a
     * connection of theirs is in it, or it is a default room (every user's). Who may enter a private room is a
     * separate question ({@link #roomAccess}): ask both.
     */
    public boolean isMember(String roomId, String userId) {
        return rooms.find(roomId).map(room -> settings.defaultRooms().contains(roomId)
                || memberships.isRecorded(userId, roomId) || room.hasUser(userId)).orElse(false);
    }

    /** The existing rooms the user is a {@linkplain #isMember member} of, default rooms included, sorted. */
    public List<String> memberRooms(String userId) {
        java.util.TreeSet<String> ids = new java.util.TreeSet<>(settings.defaultRooms());
        ids.addAll(memberships.recorded(userId));
        ids.addAll(users.rooms(userId));
        ids.removeIf(roomId -> rooms.find(roomId).isEmpty());
        return List.copyOf(ids);
    }

    /** The rooms a user's live connections are in. */
    public List<String> roomsOf(String userId) {
        return users.rooms(userId);
    }

    public boolean roomExists(String roomId) {
        return rooms.find(roomId).isPresent();
    }

    /** Where a room's stream stands, for clients that want to resume from now. */
    public Optional<StreamPosition> roomPosition(String roomId) {
        return rooms.find(roomId).map(Room::position);
    }

    public int onlineUsers() {
        return users.onlineCount();
    }

    public int connections() {
        return connections.get();
    }

    /** Deliveries waiting on all event loops; near the lane queue limit, publishers start getting overloaded. */
    public int queuedDeliveries() {
        return lanes.values().stream().mapToInt(DeliveryLane::queued).sum();
    }

    public Clock clock() {
        return clock;
    }

    // ---- helpers for the API (any thread) ----

    private Room existingRoom(String roomId) {
        if (!RoomIds.isValid(roomId)) {
            throw new ProtocolException(ErrorCode.INVALID_ROOM_ID, "invalid room id: " + RoomIds.RULE);
        }
        return rooms.require(roomId);
    }

    private CompletableFuture<Integer> onEachSession(String userId, Predicate<Session> task) {
        List<CompletableFuture<Boolean>> moves = users.sessions(userId).stream()
                .map(session -> CompletableFuture.supplyAsync(() -> task.test(session), session.connection().executor()))
                .toList();
        return CompletableFuture.allOf(moves.toArray(CompletableFuture[]::new))
                .thenApply(done -> (int) moves.stream().filter(CompletableFuture::join).count());
    }

    /** A room member as the API reports them. */
    public record MemberInfo(RoomMember member, UserStatus status) {
    }
}
