package dev.relay.core;

import dev.relay.core.cluster.Published;
import dev.relay.core.cluster.SharedRetries;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.codec.Encoder;
import dev.relay.core.delivery.Audience;
import dev.relay.core.identity.Identity;
import dev.relay.core.identity.UserIds;
import dev.relay.core.observe.HubObserver;
import dev.relay.core.policy.MessageRules;
import dev.relay.core.policy.Permissions;
import dev.relay.core.policy.RoomAccess;
import dev.relay.core.presence.Presence;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.Room;
import dev.relay.core.room.RoomRegistry;
import dev.relay.core.session.Session;
import dev.relay.core.session.UserDirectory;
import dev.relay.core.store.MessageSink;
import dev.relay.core.store.OfflineMessages;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The publishing path of the {@link Hub}: takes a room message, private message, broadcast or binary frame that has
 * passed the rate limit, applies the content filter, the permissions and the message rules, deduplicates retries and
 * hands it to the hub's {@link Routing}, which places it (in the room here, or in the cluster's shared stream) and
 * comes back to this class to deliver on this node: one encoded frame for all the audiences it is for. A refusal is thrown as a {@link ProtocolException}, which the
 * hub turns into an {@code error} frame or an API error; a message that is accepted but whose ack must wait (for the
 * {@link MessageSink} to keep it) completes its future later. Safe from any thread; {@link #relay} is called on the
 * sending session's executor because it reads the session's rooms.
 */
final class Publisher {
    /** Retried ids remembered per generation of the retry ledger (see {@link RetryLedger}). */
    private static final int RETRY_LEDGER_GENERATION_LIMIT = 100_000;

    private final HubSettings settings;
    private final Policies policies;
    private final MessageRules rules;
    private final RoomRegistry rooms;
    private final RoomAccess roomAccess;
    private final UserDirectory users;
    private final Presence presence;
    private final Audience everyone;
    private final IdGenerator ids;
    private final Encoder encoder;
    private final Clock clock;
    private final HubObserver observer;
    private final RetryLedger retries;
    private final AtomicLong totalMessages = new AtomicLong();
    private final MessageSink sink;
    private final OfflineMessages offline;
    private final Routing routing;
    /** Null unless retries are shared: private messages and broadcasts retried through another node are recognised. */
    private final SharedRetries sharedRetries;
    /** Hands held messages to a user's connections here. */
    private final Consumer<String> handOver;
    /** The rooms users joined and have not left: a message sent without a connection is a member's by these. */
    private final RoomMemberships memberships;

    /**
     * @param sink          where accepted room and private messages are kept
     * @param offline       where private messages to users with no live connection are held
     * @param sharedRetries null, or how retries made through other nodes are recognised
     * @param handOver      hands what is held for a user to their connections here
     * @param memberships   the hub's record of who joined which room
     */
    Publisher(HubSettings settings, Policies policies, MessageRules rules, RoomRegistry rooms, RoomAccess roomAccess,
              UserDirectory users, Presence presence, Audience everyone, IdGenerator ids, Encoder encoder, Clock clock,
              HubObserver observer, Routing routing, MessageSink sink, OfflineMessages offline,
              SharedRetries sharedRetries, Consumer<String> handOver, RoomMemberships memberships) {
        this.routing = routing;
        this.memberships = memberships;
        this.sink = sink;
        this.offline = offline;
        this.sharedRetries = sharedRetries;
        this.handOver = handOver;
        this.settings = settings;
        this.policies = policies;
        this.rules = rules;
        this.rooms = rooms;
        this.roomAccess = roomAccess;
        this.users = users;
        this.presence = presence;
        this.everyone = everyone;
        this.ids = ids;
        this.encoder = encoder;
        this.clock = clock;
        this.observer = observer;
        this.retries = new RetryLedger(settings.dedupWindow(), RETRY_LEDGER_GENERATION_LIMIT, clock);
    }

    OfflineMessages offline() {
        return offline;
    }

    /**
     * The recipient had no connection when their message was checked, but may have connected since and taken what
     * was held before this message was: their connection then takes it now, rather than their next one.
     */
    private void heldWhileConnecting(String userId) {
        if (users.isOnline(userId)) {
            handOver.accept(userId);
        }
    }

    /** Messages accepted so far, text and binary, for stats. */
    long totalMessages() {
        return totalMessages.get();
    }

    static boolean isPublishing(String type) {
        return MessageType.ROOM_MESSAGE.equals(type) || MessageType.PRIVATE_MESSAGE.equals(type)
                || MessageType.BROADCAST.equals(type);
    }

    /**
     * Publishes for {@code from}; {@code origin} is the connection it came through, or null for REST and embedding,
     * where an admin may post to a room without being in it. A refusal decided at once is thrown; the future is
     * already complete unless the ack waits for the message to be kept, and fails with a {@link ProtocolException}
     * if it cannot be. A retry of an id still in the ledger gets the first attempt's outcome, pending or not.
     */
    CompletableFuture<Published> route(Identity from, Session origin, ClientMessage unfiltered) {
        if (!isPublishing(unfiltered.type())) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + unfiltered.type() + "'");
        }
        // Filtered before anything else sees it: recipients, history and retries only ever hold the filtered content.
        ClientMessage message;
        try {
            message = policies.contentFilter().apply(unfiltered);
        } catch (ProtocolException rejected) {
            if (rejected.code() == ErrorCode.FILTERED) {
                observer.filtered(from.userId(), true);
            }
            throw rejected;
        }
        if (message != unfiltered) {
            observer.filtered(from.userId(), false);
        }
        Published pending = new Published(ids.next(), clock.instant());
        if (message.id() == null) {
            return place(from, origin, message, pending, null);
        }
        // Type and target are part of the key, so a client that reuses an id for a different kind of message or
        // another room or user does not have it swallowed as a "retry".
        String retryKey = String.join("\n", from.userId(), message.type(), String.valueOf(message.roomId()),
                String.valueOf(message.to()), message.id());
        CompletableFuture<Published> attempt = new CompletableFuture<>();
        CompletableFuture<Published> earlier = retries.reserve(retryKey, attempt);
        if (earlier != null) {
            return earlier; // a retry: answered as the first attempt is, delivered once
        }
        CompletableFuture<Published> outcome;
        try {
            SharedRetries shared = sharedRetries;
            outcome = shared == null || MessageType.ROOM_MESSAGE.equals(message.type())
                    ? place(from, origin, message, pending, retryKey)
                    : placeOnce(shared, from, origin, message, pending, retryKey);
        } catch (RuntimeException refused) {
            // Released before completing, so a retry that sees the refusal and tries again is handled afresh.
            retries.release(retryKey, attempt);
            attempt.completeExceptionally(refused);
            throw refused;
        }
        if (outcome.isDone() && !outcome.isCompletedExceptionally()) {
            attempt.complete(outcome.resultNow()); // the common path: nothing to wait for
        } else {
            outcome.whenComplete((published, failure) -> {
                if (failure != null) {
                    retries.release(retryKey, attempt);
                    attempt.completeExceptionally(failure);
                } else {
                    attempt.complete(published);
                }
            });
        }
        return attempt;
    }

    /**
     * Cluster: a private message or broadcast is placed only if no node has seen its id within the dedup window;
     * otherwise the answer is the first attempt's. A claim whose attempt is refused is given up, so the retry that
     * follows the refusal is handled afresh.
     */
    private CompletableFuture<Published> placeOnce(SharedRetries shared, Identity from, Session origin,
                                                   ClientMessage message, Published pending, String retryKey) {
        // A message refused for what it is costs no claim: it is refused at once, as on one node.
        if (MessageType.PRIVATE_MESSAGE.equals(message.type())) {
            checkPrivate(from, message);
        } else {
            checkBroadcast(from, message);
        }
        return shared.claim(retryKey).thenCompose(first -> {
            if (first.isPresent()) {
                return CompletableFuture.completedFuture(first.get());
            }
            CompletableFuture<Published> placed;
            try {
                placed = place(from, origin, message, pending, retryKey);
            } catch (RuntimeException refused) {
                shared.abandon(retryKey);
                throw refused;
            }
            return placed.whenComplete((published, failure) -> {
                if (failure == null) {
                    shared.settle(retryKey, published);
                } else {
                    shared.abandon(retryKey);
                }
            });
        });
    }

    private CompletableFuture<Published> place(Identity from, Session origin, ClientMessage message,
                                               Published pending, String retryKey) {
        return switch (message.type()) {
            case MessageType.ROOM_MESSAGE -> toRoom(from, origin, message, pending, retryKey);
            case MessageType.PRIVATE_MESSAGE -> toUser(from, message, pending);
            default -> toEveryone(from, message, pending);
        };
    }

    /**
     * Relays a binary frame to every other connection in the sender's rooms, each once. Binary frames skip the
     * content filter and the retry ledger: they carry no content the server reads and no id.
     */
    void relay(Session session, EncodedFrame frame) {
        List<Room> joined = new ArrayList<>();
        for (String roomId : session.roomIds()) {
            rooms.find(roomId).ifPresent(joined::add);
        }
        if (joined.isEmpty()) {
            throw new ProtocolException(ErrorCode.NOT_MEMBER, "binary frames go to your rooms, and you are in none");
        }
        List<Audience> audiences = joined.stream().map(Room::members).toList();
        if (!Audience.deliverToUnion(frame, audiences, session.outbox())) {
            throw overloaded();
        }
        presence.activity(session.userId());
        joined.forEach(Room::countMessage);
        totalMessages.incrementAndGet();
        observer.accepted(session.userId(), Hub.BINARY, null);
    }

    private CompletableFuture<Published> toRoom(Identity from, Session origin, ClientMessage message,
                                                Published pending, String retryKey) {
        String roomId = rules.requireRoomId(message);
        rules.checkBody(message);
        Room room = rooms.require(roomId);
        // Without a connection (REST, embedding) the user's membership counts, not only a live connection in the room.
        boolean member = origin != null ? origin.isIn(roomId) : room.hasUser(from.userId()) || from.isAdmin()
                || memberships.isRecorded(from.userId(), roomId) && roomAccess.mayEnter(from, roomId);
        if (!member) {
            roomAccess.requireEntry(from, roomId); // a private room is "not found" to outsiders, never "not joined"
            throw new ProtocolException(ErrorCode.NOT_MEMBER, "you are not in room '" + roomId + "'; join it first");
        }
        sink.checkCapacity(); // before the message takes a seq, so a refusal leaves no gap in the stream
        return routing.toRoom(room, message(pending, MessageType.ROOM_MESSAGE, from, null, roomId, message),
                retryKey, this);
    }

    /** A room message has its seq and was delivered here: counted, reported, and handed to the sink. */
    CompletableFuture<Published> placed(ServerMessage placed) {
        totalMessages.incrementAndGet();
        observer.accepted(placed.from(), MessageType.ROOM_MESSAGE, placed.roomId());
        observer.messageAccepted(placed);
        return kept(sink.accepted(placed), new Published(placed.id(), placed.timestamp(), placed.seq()));
    }

    /** The outcome of an accepted message: at once, or when the sink has kept it. */
    private static CompletableFuture<Published> kept(CompletableFuture<Void> keeping, Published published) {
        return keeping == null ? CompletableFuture.completedFuture(published) : keeping.thenApply(done -> published);
    }

    /** Refuses a private message this sender may not send or that is malformed; returns the recipient. */
    private String checkPrivate(Identity from, ClientMessage message) {
        if (!settings.enablePrivateMessaging()) {
            throw new ProtocolException(ErrorCode.FEATURE_DISABLED, "private messages are turned off on this server");
        }
        Permissions permissions = policies.permissions();
        if (!permissions.mayPrivateMessage(from)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN,
                    "only " + permissions.whoMayPrivateMessage() + " may send private messages");
        }
        String to = message.to();
        if (to == null || to.isEmpty()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "a private message needs 'to', the user id");
        }
        if (!UserIds.isValid(to)) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'to' is not a valid user id: " + UserIds.RULE);
        }
        rules.checkBody(message);
        return to;
    }

    private CompletableFuture<Published> toUser(Identity from, ClientMessage message, Published pending) {
        String to = checkPrivate(from, message);
        return routing.toUser(from, to, message(pending, MessageType.PRIVATE_MESSAGE, from, to, null, message),
                pending, this);
    }

    /** A single node: the recipient's and the sender's connections here get it, or it is held for the recipient. */
    CompletableFuture<Published> toUserHere(Identity from, String to, ServerMessage out, Published pending) {
        Audience recipient = users.audience(to).orElse(null);
        OfflineMessages holder = offline;
        if (recipient == null && !holder.enabled()) {
            throw new ProtocolException(ErrorCode.USER_NOT_ONLINE, "user '" + to + "' is not online");
        }
        sink.checkCapacity();
        List<Audience> audiences = new ArrayList<>(2);
        if (recipient != null) {
            audiences.add(recipient);
        }
        // The sender's other connections (tabs, devices) see the conversation too.
        users.audience(from.userId()).filter(own -> own != recipient).ifPresent(audiences::add);
        deliver(out, frame -> audiences.isEmpty() || Audience.deliverToUnion(frame, audiences, null));
        if (recipient == null) {
            // Held for the recipient's return; the store keeps the message itself with it.
            Published stored = new Published(pending.id(), pending.timestamp(), null, true);
            CompletableFuture<Void> holding = holder.hold(out);
            if (holding == null) {
                heldWhileConnecting(to);
                return CompletableFuture.completedFuture(stored);
            }
            return holding.thenApply(held -> {
                heldWhileConnecting(to);
                return stored;
            });
        }
        return kept(sink.accepted(out), pending);
    }

    /**
     * Cluster: the recipient's connections on other nodes get it through the user's channel, which also tells
     * whether the user is online anywhere; once that answers, this node's connections of both users get it. The
     * sender's connections on other nodes get it through the sender's channel.
     */
    CompletableFuture<Published> toUserAnywhere(ClusteredRouting link, Identity from, String to, ServerMessage out,
                                                Published pending) {
        // Online anywhere is only known once the user's channel answers.
        MessageSink keeper = sink;
        keeper.checkCapacity();
        return link.engine().publishToUser(to, out).thenCompose(otherNodes -> {
            Optional<Audience> recipient = users.audience(to);
            if (otherNodes == 0 && recipient.isEmpty()) {
                return holdAnywhere(link, from, to, out, keeper, pending);
            }
            if (!from.userId().equals(to)) {
                link.engine().publishToUser(from.userId(), out); // the sender's other devices: best effort
            }
            List<Audience> audiences = new ArrayList<>(2);
            recipient.ifPresent(audiences::add);
            users.audience(from.userId()).filter(own -> recipient.orElse(null) != own).ifPresent(audiences::add);
            deliver(out, frame -> Audience.deliverToUnion(frame, audiences, null));
            return kept(keeper.accepted(out), pending);
        });
    }

    /**
     * Cluster: the recipient is connected nowhere. The message is held where every node can take it (the holder the
     * cluster installed), and once it is, the nodes are told, so a connection that arrived meanwhile and took what
     * was held just before still gets it ({@link ClusteredRouting#heldFor}).
     */
    private CompletableFuture<Published> holdAnywhere(ClusteredRouting link, Identity from, String to,
                                                      ServerMessage out, MessageSink keeper, Published pending) {
        OfflineMessages holder = offline;
        if (!holder.enabled()) {
            throw new ProtocolException(ErrorCode.USER_NOT_ONLINE, "user '" + to + "' is not online");
        }
        if (!from.userId().equals(to)) {
            link.engine().publishToUser(from.userId(), out); // the sender's other devices: best effort
        }
        Optional<Audience> own = users.audience(from.userId());
        deliver(out, frame -> own.isEmpty() || own.get().deliver(frame));
        // A store that holds is also the sink and keeps the message with its hold; any other holder keeps only
        // the hold, and the sink the message.
        CompletableFuture<Void> holding = holder.hold(out);
        CompletableFuture<Void> keeping = holder == keeper ? null : keeper.accepted(out);
        CompletableFuture<Void> both = holding == null ? keeping
                : keeping == null ? holding : CompletableFuture.allOf(holding, keeping);
        Published stored = new Published(pending.id(), pending.timestamp(), null, true);
        if (holding == null) {
            link.heldFor(to);
            return kept(both, stored);
        }
        return kept(both, stored).whenComplete((done, failure) -> {
            if (failure == null) {
                link.heldFor(to);
            }
        });
    }

    /** Refuses a broadcast this sender may not send or that is malformed. */
    private void checkBroadcast(Identity from, ClientMessage message) {
        if (!settings.enableMessageBroadcast()) {
            throw new ProtocolException(ErrorCode.FEATURE_DISABLED, "broadcasts are turned off on this server");
        }
        Permissions permissions = policies.permissions();
        if (!permissions.mayBroadcast(from)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN,
                    "only " + permissions.whoMayBroadcast() + " may broadcast");
        }
        rules.checkBody(message);
    }

    private CompletableFuture<Published> toEveryone(Identity from, ClientMessage message, Published pending) {
        checkBroadcast(from, message);
        ServerMessage out = message(pending, MessageType.BROADCAST, from, null, null, message);
        return routing.toEveryone(out, pending, this);
    }

    /** Delivers a broadcast to every connection here. */
    void toEveryoneHere(ServerMessage out) {
        deliver(out, everyone::deliver);
    }

    private static ServerMessage message(Published pending, String type, Identity from, String to, String roomId,
                                         ClientMessage in) {
        return new ServerMessage(pending.id(), type, from.userId(), to, roomId, in.content(), in.data(),
                pending.timestamp());
    }

    /** Hands an encoded frame to some audiences; false when a lane is full and nothing was queued. */
    private interface Fanout {
        boolean deliver(EncodedFrame frame);
    }

    /** Encodes once for all recipients; the reference taken by encoding is released whether or not it went out. */
    private void deliver(ServerMessage message, Fanout fanout) {
        EncodedFrame frame = encoder.encode(message);
        try {
            if (!fanout.deliver(frame)) {
                throw overloaded();
            }
        } finally {
            frame.release();
        }
        totalMessages.incrementAndGet();
        observer.accepted(message.from(), message.type(), message.roomId());
        observer.messageAccepted(message);
    }

    static ProtocolException overloaded() {
        return new ProtocolException(ErrorCode.OVERLOADED, "the server is overloaded; the message was not sent, retry");
    }
}
