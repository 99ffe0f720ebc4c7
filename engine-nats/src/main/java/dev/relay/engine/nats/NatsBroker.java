package dev.relay.engine.nats;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.RoomStreams;
import dev.relay.core.codec.MessageCodec;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Broker} that fans out over NATS and keeps room streams elsewhere ({@link RoomStreams}: Redis, in the
 * server). NATS gives no order across publishers and keeps nothing, so:
 *
 * <ul>
 *   <li>a room message is placed in its stream first (seq, epoch, retry dedup, atomically), then published on the
 *   room's subject and handed to this node's own hub at once (the connection does not echo); a node that sees a seq
 *   before the one it expects fills the gap from the stream, and the late copy is dropped as a duplicate. A
 *   placed message whose NATS publish fails is still acknowledged: it is in the stream, and the other nodes fetch
 *   it at their next gap or reconnect;</li>
 *   <li>a private message is a request on the user's subject: every node with a connection of the user answers, and
 *   "no responders" means the user is on no other node;</li>
 *   <li>presence stays in Redis ({@code RedisPresence}).</li>
 * </ul>
 */
public final class NatsBroker implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(NatsBroker.class);
    private static final byte[] DELIVERED = {'1'};

    private final String url;
    private final String subjectPrefix;
    private final String nodeId;
    private final Duration requestTimeout;
    private final MessageCodec codec;
    private final RoomStreams streams;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> users = new ConcurrentHashMap<>();
    private final AtomicLong outages = new AtomicLong();
    private volatile Connection nats;
    private volatile Dispatcher dispatcher;
    private volatile Inbound inbound;

    /**
     * @param subjectPrefix put before every subject (letters, digits, {@code - _}); one per cluster
     * @param streams       where room streams and rooms created at run time are kept; closed with this broker
     */
    public NatsBroker(String url, String subjectPrefix, String nodeId, Duration requestTimeout, MessageCodec codec,
                      RoomStreams streams) {
        this.url = url;
        this.subjectPrefix = subjectPrefix.replaceAll("[^A-Za-z0-9_-]", "") + ".";
        this.nodeId = nodeId;
        this.requestTimeout = requestTimeout;
        this.codec = codec;
        this.streams = streams;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    /** Connects the streams and NATS (blocking: at start, not on an event loop). */
    @Override
    public void start(Inbound inbound) {
        this.inbound = inbound;
        // The streams' own reconnects matter too: what was placed meanwhile is fetched like any gap.
        streams.start(inbound::reconnected);
        Options options = new Options.Builder()
                .server(url)
                .noEcho()
                .reportNoResponders() // "nobody has the user" as an answer, not a cancellation
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                .connectionTimeout(Duration.ofSeconds(5))
                .connectionListener((connection, event) -> onEvent(event))
                .build();
        try {
            nats = Nats.connect(options);
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach NATS at " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS", e);
        }
        dispatcher = nats.createDispatcher(this::receive);
        dispatcher.subscribe(subjectPrefix + "all");
    }

    private void onEvent(ConnectionListener.Events event) {
        switch (event) {
            case DISCONNECTED -> {
                outages.incrementAndGet();
                LOG.warn("lost the connection to NATS; serving local traffic, reconnecting");
            }
            case RESUBSCRIBED -> {
                LOG.info("reconnected to NATS; catching up every room");
                Inbound to = inbound;
                if (to != null) {
                    to.reconnected();
                    CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(to::reconnected);
                }
            }
            default -> {
            }
        }
    }

    private String roomSubject(String roomId) {
        return subjectPrefix + "room." + token(roomId);
    }

    private String userSubject(String userId) {
        return subjectPrefix + "user." + token(userId);
    }

    /**
     * An id as one subject token: base64url, because a user id may hold '.', '*' or '>', which NATS would read as
     * token separators and wildcards (a user named '>' would otherwise receive everyone's private messages).
     */
    static String token(String id) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }

    static String fromToken(String token) {
        return new String(java.util.Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    }

    // ---- publishing ----

    @Override
    public CompletableFuture<ServerMessage> publishToRoom(ServerMessage draft, String proposedEpoch, String retryKey) {
        return streams.place(draft, proposedEpoch, retryKey).thenApply(placed -> {
            if (!placed.id().equals(draft.id())) {
                // A retry the stream recognised: it answers with the first placement, which its own node sent.
                return placed;
            }
            try {
                nats.publish(roomSubject(placed.roomId()), framed(placed.seq() + " " + placed.epoch(), draft));
            } catch (RuntimeException e) {
                LOG.warn("room {}: seq {} is in the stream but NATS did not take it; other nodes will fetch it",
                        placed.roomId(), placed.seq());
            }
            if (rooms.contains(placed.roomId())) {
                inbound.roomMessage(placed); // no echo: this node delivers its own
            }
            return placed;
        });
    }

    /** On the room's subject with the header "-" instead of a seq; this node's own copy is handed over at once. */
    @Override
    public CompletableFuture<Void> publishRoomEvent(ServerMessage event) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable());
        }
        nats.publish(roomSubject(event.roomId()), framed("-", event));
        if (rooms.contains(event.roomId())) {
            inbound.roomEvent(event); // no echo
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Long> publishToUser(String userId, ServerMessage message) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable());
        }
        return nats.requestWithTimeout(userSubject(userId), framed(nodeId, message), requestTimeout)
                .handle((reply, failure) -> {
                    if (failure == null) {
                        return 1L; // at least one node has the user; NATS gives the first answer only
                    }
                    if (noResponders(failure)) {
                        return 0L;
                    }
                    throw new java.util.concurrent.CompletionException(unavailable());
                });
    }

    private static boolean noResponders(Throwable failure) {
        Throwable cause = failure;
        while (cause != null) {
            String text = String.valueOf(cause.getMessage());
            if (text.contains("503") || text.toLowerCase(java.util.Locale.ROOT).contains("no responders")) {
                return true;
            }
            cause = cause.getCause();
        }
        return false;
    }

    @Override
    public CompletableFuture<Void> publishToEveryone(ServerMessage message) {
        if (!isConnected()) {
            return CompletableFuture.failedFuture(unavailable());
        }
        nats.publish(subjectPrefix + "all", framed(nodeId, message));
        return CompletableFuture.completedFuture(null);
    }

    private byte[] framed(String header, ServerMessage message) {
        byte[] head = (header + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = codec.encode(message);
        byte[] payload = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, payload, head.length, body.length);
        return payload;
    }

    private static ProtocolException unavailable() {
        return new ProtocolException(ErrorCode.BROKER_UNAVAILABLE,
                "the cluster's broker cannot be reached; the message was not sent, retry it with the same id");
    }

    // ---- following ----

    @Override
    public void followRoom(String roomId) {
        if (rooms.add(roomId)) {
            dispatcher.subscribe(roomSubject(roomId));
        }
    }

    @Override
    public void unfollowRoom(String roomId) {
        if (rooms.remove(roomId)) {
            dispatcher.unsubscribe(roomSubject(roomId));
        }
    }

    @Override
    public CompletableFuture<Void> followUser(String userId) {
        if (users.putIfAbsent(userId, Boolean.TRUE) == null) {
            dispatcher.subscribe(userSubject(userId));
            // jnats confirms a subscription only with a blocking flush. A request on a subject nobody answers,
            // sent after the subscription on the same connection, is answered ("no responders") only once the
            // server has taken the subscription: a flush that blocks no thread.
            try {
                return nats.requestWithTimeout(subjectPrefix + "followed", new byte[0], requestTimeout)
                        .<Void>handle((reply, failure) -> null);
            } catch (RuntimeException disconnected) {
                return CompletableFuture.completedFuture(null); // resubscribed on reconnect; nothing to wait for
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void unfollowUser(String userId) {
        if (users.remove(userId) != null) {
            dispatcher.unsubscribe(userSubject(userId));
        }
    }

    private void receive(Message message) {
        try {
            byte[] payload = message.getData();
            int newline = 0;
            while (payload[newline] != '\n') {
                newline++;
            }
            String header = new String(payload, 0, newline, StandardCharsets.UTF_8);
            byte[] encoded = Arrays.copyOfRange(payload, newline + 1, payload.length);
            String subject = message.getSubject().substring(subjectPrefix.length());
            if (subject.startsWith("room.") && !header.equals("-")) {
                int space = header.indexOf(' ');
                inbound.roomMessage(codec, encoded, Long.parseLong(header.substring(0, space)),
                        header.substring(space + 1));
                return;
            }
            ServerMessage body = codec.decode(encoded);
            if (subject.startsWith("room.")) {
                inbound.roomEvent(body);
            } else if (subject.startsWith("user.")) {
                inbound.userMessage(fromToken(subject.substring("user.".length())), body);
                if (message.getReplyTo() != null) {
                    nats.publish(message.getReplyTo(), DELIVERED);
                }
            } else {
                inbound.broadcast(body);
            }
        } catch (RuntimeException e) {
            LOG.warn("dropped an unreadable message on {}", message.getSubject(), e);
        }
    }

    // ---- the shared stream: kept by the streams ----

    @Override
    public CompletableFuture<Optional<StreamPosition>> position(String roomId) {
        return streams.position(roomId);
    }

    @Override
    public CompletableFuture<List<ServerMessage>> recent(String roomId, int limit) {
        return streams.recent(roomId, limit);
    }

    @Override
    public CompletableFuture<Optional<List<ServerMessage>>> range(String roomId, String epoch, long after,
                                                                  long upTo) {
        return streams.range(roomId, epoch, after, upTo);
    }

    @Override
    public CompletableFuture<Boolean> claimRoom(String roomId, String encoded) {
        return streams.claimRoom(roomId, encoded);
    }

    @Override
    public CompletableFuture<Void> deleteRoom(String roomId) {
        return streams.deleteRoom(roomId);
    }

    @Override
    public CompletableFuture<Map<String, String>> savedRooms() {
        return streams.savedRooms();
    }

    @Override
    public boolean isConnected() {
        Connection c = nats;
        return c != null && c.getStatus() == Connection.Status.CONNECTED && streams.isConnected();
    }

    /** How many times the connection to NATS was lost since start. */
    public long outages() {
        return outages.get();
    }

    @Override
    public void close() {
        Connection c = nats;
        if (c != null) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        streams.close();
    }
}
