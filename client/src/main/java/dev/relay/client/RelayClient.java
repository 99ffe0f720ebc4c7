package dev.relay.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.protocol.MessageType;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A Relay connection that looks after itself: it reconnects with exponential backoff and full jitter, resumes every
 * joined room from the last message it handed over (never handing one over twice), re-sends unacknowledged messages
 * with their original ids, and refreshes its token when the server warns that it expires.
 *
 * <pre>{@code
 * RelayClient relay = RelayClient.builder(URI.create("ws://localhost:8080/ws/connect"))
 *         .tokenSupplier(() -> myAuth.freshToken())
 *         .build()
 *         .onMessage(m -> System.out.println(m.from() + ": " + m.content()));
 * relay.connect().join();
 * relay.sendToRoom("general", "hello").thenAccept(ack -> System.out.println("seq " + ack.seq()));
 * }</pre>
 *
 * <p>Every method may be called from any thread. Listeners and future completions run on the client's
 * {@link Scheduler} thread, one at a time: they must not block on the client's own futures.
 */
public final class RelayClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Scheduler scheduler;
    private final boolean ownsScheduler;
    private final Connector connector;
    private final Listeners listeners = new Listeners();
    private final ClientSession session;
    private volatile boolean shutDown;

    private RelayClient(Builder builder) {
        this.ownsScheduler = builder.scheduler == null;
        this.scheduler = ownsScheduler ? Scheduler.singleThread() : builder.scheduler;
        this.connector = builder.connector != null ? builder.connector
                : new JdkConnector(builder.http, builder.connectTimeout);
        this.session = new ClientSession(builder, scheduler, connector, listeners);
    }

    public static Builder builder(URI url) {
        return new Builder(url);
    }

    /** {@code url} is the connect endpoint, e.g. {@code ws://localhost:8080/ws/connect}. */
    public static Builder builder(String url) {
        return new Builder(URI.create(url));
    }

    // ---- the application's side ----

    /**
     * Starts connecting (once; later calls return the same future). The future completes on the first
     * {@code welcome}, and fails if the client is closed for good before that (a refused token, for example); until
     * then a server that cannot be reached is retried with backoff.
     */
    public CompletableFuture<Void> connect() {
        submit(session::start);
        return session.firstConnect();
    }

    public ConnectionState state() {
        return session.state();
    }

    /** The user id the server took from the token; null before the first welcome. */
    public String userId() {
        return session.userId();
    }

    /** The server's id for the current (or last) connection; null before the first welcome. */
    public String clientId() {
        return session.clientId();
    }

    /** Sends a room message; the future completes with the server's ack. See {@link #sendToRoom(String, String, Object)}. */
    public CompletableFuture<Ack> sendToRoom(String roomId, String content) {
        return sendToRoom(roomId, content, null);
    }

    /**
     * Sends a room message with {@code data} (anything Jackson can write; null for none). The future completes with
     * the server's ack, or fails with a {@link RelayException} carrying the server's error code, with
     * {@code queue_full} when {@code maxPendingMessages} are already unacknowledged, or with a
     * {@link TimeoutException} after {@code ackTimeout} (the message may still have been delivered). Sent while
     * disconnected, it waits for the next connection; unacknowledged when a connection drops, it is sent again with
     * the same id, which the server recognises.
     */
    public CompletableFuture<Ack> sendToRoom(String roomId, String content, Object data) {
        return send(MessageType.ROOM_MESSAGE, "room_id", Objects.requireNonNull(roomId, "roomId"), content, data);
    }

    /** Sends a private message to every connection of user {@code to} (and the sender's other connections). */
    public CompletableFuture<Ack> sendPrivate(String to, String content) {
        return sendPrivate(to, content, null);
    }

    public CompletableFuture<Ack> sendPrivate(String to, String content, Object data) {
        return send(MessageType.PRIVATE_MESSAGE, "to", Objects.requireNonNull(to, "to"), content, data);
    }

    /** Sends to every connection on the server; needs a role in the server's {@code broadcast_roles}. */
    public CompletableFuture<Ack> broadcast(String content) {
        return broadcast(content, null);
    }

    public CompletableFuture<Ack> broadcast(String content, Object data) {
        return send(MessageType.BROADCAST, null, null, content, data);
    }

    /**
     * Sends a binary frame, relayed to the other connections sharing a room with this one. Binary frames carry no id,
     * so they are neither acknowledged nor queued: without a connection the future fails with {@code not_connected}.
     */
    public CompletableFuture<Void> sendBinary(ByteBuffer bytes) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining()).put(bytes.duplicate()).flip();
        submit(future, () -> session.sendBinary(copy, future));
        return future;
    }

    /**
     * Joins a room; the future completes once this connection is in it (at once if it already is). The room is
     * rejoined, and resumed, on every reconnect until {@link #leave}. It fails with the server's code when refused
     * ({@code room_not_found}, {@code forbidden}...).
     */
    public CompletableFuture<Void> join(String roomId) {
        Objects.requireNonNull(roomId, "roomId");
        CompletableFuture<Void> future = new CompletableFuture<>();
        submit(future, () -> session.join(roomId, future));
        return future;
    }

    /** Leaves a room: no more of its messages, and no rejoin on reconnect. */
    public CompletableFuture<Void> leave(String roomId) {
        Objects.requireNonNull(roomId, "roomId");
        CompletableFuture<Void> future = new CompletableFuture<>();
        submit(future, () -> session.leave(roomId, future));
        return future;
    }

    /** Sets the user's status (all their connections); kept and set again after a reconnect. */
    public CompletableFuture<Void> setStatus(UserStatus newStatus) {
        Objects.requireNonNull(newStatus, "status");
        CompletableFuture<Void> future = new CompletableFuture<>();
        submit(future, () -> session.setStatus(newStatus, future));
        return future;
    }

    /** An application-level ping: completes when the server's pong arrives, which follows everything sent before. */
    public CompletableFuture<Void> ping() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        submit(future, () -> session.ping(future));
        return future;
    }

    /**
     * Stops the reply {@code replyId} an AI assistant is generating (the asker's or, for an admin, anyone's). The
     * reply's last {@code message_update} (state {@code cancelled}) answers it, a refusal reaches
     * {@link #onError}. Completes false when the client is not connected: a cancel is not queued.
     */
    public CompletableFuture<Boolean> cancel(String replyId) {
        CompletableFuture<Boolean> future = new CompletableFuture<>();
        submit(future, () -> future.complete(session.cancel(replyId)));
        return future;
    }

    /**
     * {@code message_update}: a message shown earlier (same {@link Message#id()}, same room or conversation) now has
     * this content and data; replace it. An assistant's answer grows this way ({@code data.stream.state}:
     * {@code streaming}, then {@code done}, {@code error} or {@code cancelled}). The message's {@code type} is
     * {@code message_update}, its {@code seq} 0.
     */
    public RelayClient onMessageUpdate(Consumer<Message> listener) {
        listeners.updates.add(listener);
        return this;
    }

    /** Room messages of the joined rooms, each once, in each room's order. */
    public RelayClient onMessage(Consumer<Message> listener) {
        listeners.messages.add(listener);
        return this;
    }

    /** Private messages to and from this user (the server copies a sender's messages to all its connections). */
    public RelayClient onPrivate(Consumer<Message> listener) {
        listeners.privates.add(listener);
        return this;
    }

    public RelayClient onBroadcast(Consumer<Message> listener) {
        listeners.broadcasts.add(listener);
        return this;
    }

    /** {@code user_joined}, {@code user_left} and {@code presence} events of the joined rooms. */
    public RelayClient onPresence(Consumer<Presence> listener) {
        listeners.presence.add(listener);
        return this;
    }

    public RelayClient onState(Consumer<StateChange> listener) {
        listeners.states.add(listener);
        return this;
    }

    /** Errors no future was waiting for: refused joins on reconnect, refused refreshes, errors without a ref. */
    public RelayClient onError(Consumer<RelayException> listener) {
        listeners.errors.add(listener);
        return this;
    }

    /** Binary frames relayed from other connections; the buffer is the listener's to keep. */
    public RelayClient onBinary(Consumer<ByteBuffer> listener) {
        listeners.binary.add(listener);
        return this;
    }

    /** A room was resumed after a reconnect and everything missed was replayed (to the message listeners, first). */
    public RelayClient onRecovered(Consumer<Resumed> listener) {
        listeners.recovered.add(listener);
        return this;
    }

    /** A room was rejoined after a reconnect but what was missed could not be replayed: reload its state. */
    public RelayClient onReload(Consumer<Resumed> listener) {
        listeners.reload.add(listener);
        return this;
    }

    /** An admin closed a joined room; the client no longer counts itself in it. */
    public RelayClient onRoomClosed(Consumer<String> listener) {
        listeners.roomClosed.add(listener);
        return this;
    }

    /** Closes the connection for good; pending futures fail with {@code closed}. */
    @Override
    public void close() {
        if (shutDown) {
            return;
        }
        submit(() -> {
            session.close();
            connector.shutdown();
            if (ownsScheduler) {
                scheduler.shutdown();
            }
        });
        shutDown = true;
    }

    private CompletableFuture<Ack> send(String type, String field, String target, String content, Object data) {
        if (content == null && data == null) {
            throw new IllegalArgumentException("a message needs content or data");
        }
        JsonNode dataNode = data == null ? null : JSON.valueToTree(data);
        CompletableFuture<Ack> future = new CompletableFuture<>();
        submit(future, () -> session.send(type, field, target, content, dataNode, future));
        return future;
    }

    private void submit(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: nothing left to do
        }
    }

    private void submit(CompletableFuture<?> future, Runnable task) {
        if (shutDown) {
            future.completeExceptionally(new RelayException(RelayException.CLOSED, "the client is closed"));
            return;
        }
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new RelayException(RelayException.CLOSED, "the client is closed"));
        }
    }

    /** How a {@link RelayClient} connects and behaves. Only the URL and a token (or supplier) are required. */
    public static final class Builder {
        final URI url;
        String room = "general";
        Supplier<? extends CompletionStage<String>> tokens;
        boolean refreshable;
        Backoff backoff = Backoff.DEFAULT;
        RandomGenerator random = RandomGenerator.getDefault();
        Scheduler scheduler;
        Connector connector;
        HttpClient http;
        Duration ackTimeout = Duration.ofSeconds(10);
        Duration connectTimeout = Duration.ofSeconds(10);
        Duration heartbeat = Duration.ofSeconds(30);
        int maxPendingMessages = 100;

        private Builder(URI url) {
            this.url = Objects.requireNonNull(url, "url");
        }

        /** A fixed token; the client stops for good when it expires (4401) or is refused. */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            this.tokens = () -> CompletableFuture.completedFuture(token);
            this.refreshable = false;
            return this;
        }

        /**
         * Called for a token before every connection attempt and when the server says the token expires soon (then
         * sent as {@code refresh}). It runs on the client's thread: keep it quick, or use
         * {@link #asyncTokenSupplier}.
         */
        public Builder tokenSupplier(Supplier<String> supplier) {
            Objects.requireNonNull(supplier, "supplier");
            return asyncTokenSupplier(() -> CompletableFuture.completedFuture(supplier.get()));
        }

        /** Like {@link #tokenSupplier}, for a token that has to be fetched. */
        public Builder asyncTokenSupplier(Supplier<? extends CompletionStage<String>> supplier) {
            this.tokens = Objects.requireNonNull(supplier, "supplier");
            this.refreshable = true;
            return this;
        }

        /** The room the first connection opens in (default {@code general}); it counts as joined. */
        public Builder room(String roomId) {
            this.room = Objects.requireNonNull(roomId, "roomId");
            return this;
        }

        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** The jitter's source; used only on the client's scheduler. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Where the client runs; by default a daemon thread of its own, stopped by {@link #close()}. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        /** How long a send waits for its ack, queued time included (default 10 s). */
        public Builder ackTimeout(Duration timeout) {
            this.ackTimeout = positive(timeout, "ackTimeout");
            return this;
        }

        /**
         * How long a connection may be quiet before the client pings it (default 30 s); with no answer for another
         * interval, the connection counts as dead and is replaced. {@code Duration.ZERO} turns the check off (the
         * server's own pings then are what keeps a dead path from lingering on its side only).
         */
        public Builder heartbeat(Duration interval) {
            if (interval == null || interval.isNegative()) {
                throw new IllegalArgumentException("heartbeat must be zero (off) or more, got " + interval);
            }
            this.heartbeat = interval;
            return this;
        }

        /** How long the WebSocket handshake may take (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** At most this many messages wait for their ack, sent or queued while disconnected (default 100). */
        public Builder maxPendingMessages(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingMessages must be at least 1, got " + max);
            }
            this.maxPendingMessages = max;
            return this;
        }

        Builder connector(Connector connector) {
            this.connector = connector;
            return this;
        }

        public RelayClient build() {
            if (tokens == null) {
                throw new IllegalStateException("a RelayClient needs a token or a token supplier");
            }
            return new RelayClient(this);
        }

        private static Duration positive(Duration value, String name) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be more than zero, got " + value);
            }
            return value;
        }
    }
}
