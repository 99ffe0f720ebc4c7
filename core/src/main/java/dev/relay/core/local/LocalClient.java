package dev.relay.core.local;

import dev.relay.core.Hub;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.delivery.Connection;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.session.Session;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Server-side code speaking as a named user (a bot, the system) without a socket. It is a connection like any
 * other: the hub registers it, puts it in rooms, applies the same permissions, rate limit
 * ({@code rate_limit_per_minute} per connection), content filter, length limit, dedup, history and persistence, and
 * announces it to rooms as it does a socket client. Only the transport's own limits (frame size, origin, IP) do not
 * apply: no frame crosses a network.
 *
 * <p>A client's connection runs on the executor all clients of its {@link LocalClients} share, the way sockets
 * share an event loop (so the hub keeps one delivery lane for them all, however many are opened and closed); what
 * the hub delivers to it is read back into JSON fields ({@link FrameReader}) and handed to the handler on a thread
 * of the client's own, through a bounded inbox. A handler that falls that far behind is closed like a slow
 * socket consumer (4008); the hub's event loops never wait for it.
 *
 * <p>Every message is sent with an id (one is made up when the caller gives none) and its future completes with the
 * hub's answer to that id: {@code ack}, {@code joined}, {@code left}, {@code status}..., or fails with the
 * {@link ProtocolException} of an {@code error} frame. Answers are not handed to the handler.
 *
 * <p>What it sends goes through its session (its connection's rate limit, activity that ends an automatic away),
 * like a socket client's; to send without a session (no presence, no lane), use a {@link LocalSender}.
 */
public final class LocalClient implements AutoCloseable {
    /** Frames that may wait for the handler before the client is closed as a slow consumer. */
    public static final int DEFAULT_INBOX = 10_000;
    private static final System.Logger LOG = System.getLogger(LocalClient.class.getName());
    private static final AtomicLong CLIENTS = new AtomicLong();
    /** Where answers complete their futures: a virtual thread each, never the shared executor. */
    private static final Executor ANSWERS = Executors.newVirtualThreadPerTaskExecutor();

    private final Hub hub;
    private final Identity identity;
    private final FrameReader reader;
    private final Consumer<Map<String, Object>> handler;
    private final ExecutorService loop;
    private final BlockingQueue<Map<String, Object>> inbox;
    private final Thread drain;
    private final Map<String, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final String idPrefix = "local-" + CLIENTS.incrementAndGet() + "-";
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private volatile Session session;

    private LocalClient(Hub hub, ExecutorService loop, Identity identity, FrameReader reader,
                        Consumer<Map<String, Object>> handler, int inboxSize) {
        this.hub = hub;
        this.identity = identity;
        this.reader = reader;
        this.handler = handler;
        this.loop = loop;
        this.inbox = new ArrayBlockingQueue<>(inboxSize);
        this.drain = Thread.ofVirtual().name("relay-local-inbox-" + identity.userId()).start(this::drainInbox);
    }

    /** Made by {@link LocalClients#connect}: {@code loop} is the executor every client of the hub shares. */
    static LocalClient connect(Hub hub, ExecutorService loop, Identity identity, String roomId, FrameReader reader,
                               Consumer<Map<String, Object>> handler, int inboxSize) {
        LocalClient client = new LocalClient(hub, loop, identity, reader, handler, inboxSize);
        try {
            client.session = CompletableFuture.supplyAsync(
                    () -> hub.connect(identity, client.new Socketless(), roomId), loop).join();
        } catch (CompletionException failed) {
            client.stopThreads();
            throw failed.getCause() instanceof RuntimeException cause ? cause : failed;
        }
        return client;
    }

    public Identity identity() {
        return identity;
    }

    /** Completes with the reason when the client is closed, by itself or by the hub (kicked, slow, shutdown). */
    public CompletableFuture<CloseReason> closed() {
        return closed;
    }

    /** Publishes a room message; the answer carries the message's id, seq and the room's epoch. */
    public CompletableFuture<LocalAck> publish(String roomId, String content) {
        return send(new ClientMessage(MessageType.ROOM_MESSAGE, null, content, roomId, null, null))
                .thenApply(answer -> ack(answer, roomId));
    }

    /** Sends a private message to {@code to}. */
    public CompletableFuture<LocalAck> sendPrivate(String to, String content) {
        return send(new ClientMessage(MessageType.PRIVATE_MESSAGE, null, content, null, to, null))
                .thenApply(answer -> ack(answer, null));
    }

    /** Broadcasts to every connection, if this user's roles may ({@code broadcast_roles}). */
    public CompletableFuture<LocalAck> broadcast(String content) {
        return send(new ClientMessage(MessageType.BROADCAST, null, content, null, null, null))
                .thenApply(answer -> ack(answer, null));
    }

    /** Joins a room (the user's membership, as {@code join_room}); completes on {@code joined}. */
    public CompletableFuture<Void> join(String roomId) {
        return send(new ClientMessage(MessageType.JOIN_ROOM, null, null, roomId, null, null)).thenApply(answer -> null);
    }

    /** Leaves a room (as {@code leave_room}); completes on {@code left}. */
    public CompletableFuture<Void> leave(String roomId) {
        return send(new ClientMessage(MessageType.LEAVE_ROOM, null, null, roomId, null, null))
                .thenApply(answer -> null);
    }

    /**
     * Sends any client message, as a socket client would send it, and completes with the JSON fields of the hub's
     * answer to its id. A message without an id gets one of this client's own; one with an id keeps it, so a retry
     * with the same id is recognised as one (dedup). Types the hub does not know are refused with
     * {@code unknown_type}, as for a socket.
     */
    public CompletableFuture<Map<String, Object>> send(ClientMessage message) {
        ClientMessage withId = message.id() != null ? message : new ClientMessage(message.type(),
                idPrefix + ids.incrementAndGet(), message.content(), message.roomId(), message.to(), message.data(),
                message.control());
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        if (closed.isDone()) {
            answer.completeExceptionally(new IllegalStateException("the in-process client is closed"));
            return answer;
        }
        if (pending.putIfAbsent(withId.id(), answer) != null) {
            answer.completeExceptionally(new IllegalStateException("a message with id '" + withId.id()
                    + "' is still waiting for its answer"));
            return answer;
        }
        try {
            loop.execute(() -> hub.onMessage(session, withId));
        } catch (RejectedExecutionException gone) {
            pending.remove(withId.id());
            answer.completeExceptionally(new IllegalStateException("the in-process client is closed"));
        }
        return answer;
    }

    /** Leaves every room and goes offline, as a socket closing does. Idempotent. */
    @Override
    public void close() {
        closeWith(CloseReason.NORMAL);
    }

    private void closeWith(CloseReason reason) {
        if (!closed.complete(reason)) {
            return;
        }
        try {
            loop.execute(() -> {
                Session registered = session;
                if (registered != null) {
                    hub.disconnect(registered);
                }
            });
        } catch (RejectedExecutionException gone) {
            // Already stopped.
        }
        IllegalStateException gone = new IllegalStateException("the in-process client closed: " + reason.reason());
        pending.values().forEach(answer -> answer.completeExceptionally(gone));
        pending.clear();
        stopThreads();
    }

    /** The shared executor stays: other clients run on it. */
    private void stopThreads() {
        drain.interrupt();
    }

    private LocalAck ack(Map<String, Object> answer, String roomId) {
        Map<?, ?> data = answer.get("data") instanceof Map<?, ?> map ? map : Map.of();
        Long seq = data.get("seq") instanceof Number number ? number.longValue() : null;
        String epoch = seq == null || roomId == null ? null
                : hub.queries().roomPosition(roomId).map(StreamPosition::epoch).orElse(null);
        return new LocalAck((String) data.get("id"), seq, epoch, Boolean.TRUE.equals(data.get("stored_offline")));
    }

    /** On the writing thread: an answer completes its future, anything else waits in the inbox for the handler. */
    private void received(EncodedFrame frame) {
        Map<String, Object> message = reader.read(frame);
        if (message == null) {
            return;
        }
        Object ref = message.get("data") instanceof Map<?, ?> data ? data.get("ref") : null;
        CompletableFuture<Map<String, Object>> answer = ref instanceof String id ? pending.remove(id) : null;
        if (answer != null) {
            // Completed off the shared executor: a caller's continuation that waits on another client's answer
            // would otherwise wait on the very thread that has to produce it.
            Runnable complete = MessageType.ERROR.equals(message.get("type"))
                    ? () -> answer.completeExceptionally(refusal(message))
                    : () -> answer.complete(message);
            ANSWERS.execute(complete);
            return;
        }
        if (!inbox.offer(message)) {
            LOG.log(System.Logger.Level.WARNING, "in-process client " + identity.userId()
                    + " closed: its handler fell " + inbox.size() + " messages behind");
            closeWith(CloseReason.SLOW_CONSUMER);
        }
    }

    private static ProtocolException refusal(Map<String, Object> error) {
        Map<?, ?> data = error.get("data") instanceof Map<?, ?> map ? map : Map.of();
        String code = String.valueOf(data.get("code"));
        ErrorCode known = Arrays.stream(ErrorCode.values()).filter(c -> c.code().equals(code)).findFirst()
                .orElse(ErrorCode.INTERNAL_ERROR);
        long retryAfter = data.get("retry_after_ms") instanceof Number number ? number.longValue() : -1;
        return new ProtocolException(known, String.valueOf(error.get("content")), retryAfter);
    }

    private void drainInbox() {
        while (true) {
            Map<String, Object> message;
            try {
                message = inbox.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException stopped) {
                return;
            }
            if (message == null) {
                if (closed.isDone()) {
                    return;
                }
                continue;
            }
            try {
                handler.accept(message);
            } catch (RuntimeException failure) {
                LOG.log(System.Logger.Level.WARNING, "the handler of in-process client " + identity.userId()
                        + " failed on a '" + message.get("type") + "' message", failure);
            }
        }
    }

    /** The client's side of the hub's connection: frames are read back, never sent anywhere. */
    private final class Socketless implements Connection {
        @Override
        public java.util.concurrent.Executor executor() {
            return loop;
        }

        @Override
        public void write(EncodedFrame frame) {
            received(frame);
        }

        @Override
        public void flush() {
            // Nothing buffered: write hands each frame over at once.
        }

        @Override
        public void send(EncodedFrame frame) {
            received(frame); // read before returning: the caller keeps its reference
        }

        @Override
        public void close(CloseReason reason) {
            closeWith(reason);
        }

        @Override
        public String remoteAddress() {
            return "in-process";
        }
    }
}
