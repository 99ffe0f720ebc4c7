package dev.relay.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.protocol.MessageType;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * What a {@link RelayClient} knows and does, owned by its {@link Scheduler}: the connection and its reconnects, the
 * joined rooms and their positions, the outbox of unacknowledged messages, and the protocol's replies. Every method
 * runs on the scheduler; {@link RelayClient} is the thread-safe front that posts calls here.
 */
final class ClientSession {
    private static final System.Logger LOG = System.getLogger(RelayClient.class.getName());
    /**
     * Joins are sent as a resume from an epoch no room has: the server then answers with the room's current position
     * (and replays nothing), which is what the next reconnect resumes from. A plain join_room does not say it.
     */
    static final String NO_EPOCH = "-";
    /** Private messages and broadcasts have no seq; their ids are remembered this far back instead. */
    private static final int RECENT_IDS = 4096;

    private final URI url;
    private final String initialRoom;
    private final Supplier<? extends CompletionStage<String>> tokens;
    private final boolean refreshable;
    private final Backoff backoff;
    private final RandomGenerator random;
    private final Scheduler scheduler;
    private final Connector connector;
    private final Duration ackTimeout;
    private final Duration heartbeat;
    private final Listeners listeners;
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();

    private volatile ConnectionState state = ConnectionState.DISCONNECTED;
    private volatile String userId;
    private volatile String clientId;

    // Everything below is touched only on the scheduler.
    private final Rooms rooms = new Rooms();
    private final Outbox outbox;
    private final Frames frames = new Frames();
    private final Requests requests = new Requests();
    private final RecentIds recentIds = new RecentIds(RECENT_IDS);
    private final List<CompletableFuture<Void>> statusWaiters = new ArrayList<>();
    /** Rooms this connection asked to leave and has not heard {@code left} for: their late messages are dropped. */
    private final Set<String> leaving = new HashSet<>();
    /**
     * Rooms left while disconnected. Membership belongs to the user on the server and outlives connections, so the
     * next connection would be put back in them: it leaves them right after its welcome.
     */
    private final Set<String> leftWhileAway = new HashSet<>();
    private UserStatus status;
    private boolean started;
    private boolean closed;
    /** Counts connection attempts; events from an older attempt's link are ignored. */
    private int generation;
    private Connector.Link link;
    private int attempt;
    private Scheduler.Cancellable retry;
    /** A frame arrived since the last heartbeat tick. */
    private boolean heard;
    /** The last tick heard nothing and sent a ping: the next one gives up on the connection if still nothing. */
    private boolean probing;

    ClientSession(RelayClient.Builder builder, Scheduler scheduler, Connector connector, Listeners listeners) {
        this.url = builder.url;
        this.initialRoom = builder.room;
        this.tokens = builder.tokens;
        this.refreshable = builder.refreshable;
        this.backoff = builder.backoff;
        this.random = builder.random;
        this.scheduler = scheduler;
        this.connector = connector;
        this.ackTimeout = builder.ackTimeout;
        this.heartbeat = builder.heartbeat;
        this.listeners = listeners;
        this.outbox = new Outbox(builder.maxPendingMessages);
        rooms.add(initialRoom);
    }

    ConnectionState state() {
        return state;
    }

    String userId() {
        return userId;
    }

    String clientId() {
        return clientId;
    }

    CompletableFuture<Void> firstConnect() {
        return firstConnect;
    }

    // ---- the application's calls ----

    void start() {
        if (!started && !closed) {
            started = true;
            dial();
        }
    }

    void close() {
        terminate(0, "closed by the application");
    }

    void sendBinary(ByteBuffer bytes, CompletableFuture<Void> future) {
        if (state != ConnectionState.CONNECTED) {
            future.completeExceptionally(new RelayException(RelayException.NOT_CONNECTED, "not connected"));
            return;
        }
        link.sendBinary(bytes).whenComplete((ignored, error) -> {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(null);
            }
        });
    }

    void join(String roomId, CompletableFuture<Void> future) {
        Rooms.Room room = rooms.get(roomId);
        if (room != null && room.joined) {
            future.complete(null);
            return;
        }
        boolean added = room == null;
        leftWhileAway.remove(roomId);
        room = rooms.add(roomId);
        room.waiters.add(future);
        if (added && state == ConnectionState.CONNECTED) {
            resume(room);
        }
    }

    void leave(String roomId, CompletableFuture<Void> future) {
        Rooms.Room room = rooms.remove(roomId);
        if (room == null) {
            future.complete(null);
            return;
        }
        room.fail(new CancellationException("left room " + roomId));
        if (state == ConnectionState.CONNECTED && room.joined) {
            leaving.add(roomId);
            request(Requests.Kind.LEAVE, roomId, future, frames.create(MessageType.LEAVE_ROOM).put("room_id", roomId));
        } else {
            if (state != ConnectionState.CONNECTED) {
                leftWhileAway.add(roomId);
            }
            future.complete(null); // left on the next connection; a resume in flight is undone when it answers
        }
    }

    void setStatus(UserStatus newStatus, CompletableFuture<Void> future) {
        status = newStatus;
        statusWaiters.add(future);
        if (state == ConnectionState.CONNECTED) {
            sendStatus();
        }
    }

    void ping(CompletableFuture<Void> future) {
        if (state != ConnectionState.CONNECTED) {
            future.completeExceptionally(new RelayException(RelayException.NOT_CONNECTED, "not connected"));
        } else {
            request(Requests.Kind.PING, null, future, frames.create(MessageType.PING));
        }
    }

    /** {@code field} names the target ({@code room_id}, {@code to}), null for a broadcast; {@code data} may be null. */
    void send(String type, String field, String target, String content, JsonNode data, CompletableFuture<Ack> future) {
        if (closed) {
            future.completeExceptionally(new RelayException(RelayException.CLOSED, "the client is closed"));
            return;
        }
        if (outbox.isFull()) {
            future.completeExceptionally(new RelayException(RelayException.QUEUE_FULL,
                    outbox.size() + " messages are already waiting for their ack"));
            return;
        }
        ObjectNode frame = frames.create(type);
        if (field != null) {
            frame.put(field, target);
        }
        if (content != null) {
            frame.put("content", content);
        }
        if (data != null) {
            frame.set("data", data);
        }
        String id = frame.path("id").asText();
        Outbox.Pending pending = new Outbox.Pending(id, frame.toString(), future);
        outbox.add(pending);
        pending.timeout = scheduler.schedule(ackTimeout, () -> {
            if (outbox.remove(id) != null) {
                future.completeExceptionally(new TimeoutException("no ack for message " + id + " within "
                        + ackTimeout));
            }
        });
        if (state == ConnectionState.CONNECTED) {
            write(pending.json);
        }
    }

    // ---- connecting ----

    private void dial() {
        retry = null;
        if (closed) {
            return;
        }
        int attemptId = ++generation;
        setState(ConnectionState.CONNECTING, 0, "", null);
        nextToken().whenComplete((value, error) -> submit(() -> {
            if (attemptId != generation || closed) {
                return;
            }
            if (error != null || value == null) {
                LOG.log(System.Logger.Level.WARNING, "the token supplier failed; retrying", error);
                reconnectLater(0, "the token supplier failed: " + error, Duration.ZERO);
                return;
            }
            connector.open(connectUri(), Map.of("Authorization", "Bearer " + value), new LinkEvents(attemptId))
                    .whenComplete((ignored, failure) -> {
                        if (failure != null) {
                            submit(() -> openFailed(attemptId, failure));
                        }
                    });
        }));
    }

    /** Opens in a joined room, resuming it from where the application is (or learning where it stands). */
    private URI connectUri() {
        Rooms.Room room = rooms.get(rooms.connectRoom(initialRoom));
        String roomId = room != null ? room.id : initialRoom;
        boolean known = room != null && room.hasPosition();
        String query = "room_id=" + encode(roomId) + "&since=" + (known ? room.seq : 0)
                + "&epoch=" + encode(known ? room.epoch : NO_EPOCH);
        String base = url.toString();
        return URI.create(base + (url.getRawQuery() == null ? "?" : "&") + query);
    }

    private void openFailed(int attemptId, Throwable failure) {
        if (attemptId != generation || closed) {
            return;
        }
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (!(cause instanceof Connector.HandshakeRefused refused)) {
            reconnectLater(0, String.valueOf(cause), Duration.ZERO);
            return;
        }
        int status = refused.status();
        if (CloseCodes.retryableRefusal(status)) {
            reconnectLater(status, refused.getMessage(), refused.retryAfter());
        } else if (status == 404 && rooms.all().size() > 1) {
            // The room we opened in is gone; the others may still be there.
            Rooms.Room gone = rooms.remove(rooms.connectRoom(initialRoom));
            RelayException error = new RelayException("room_not_found", refused.getMessage());
            gone.fail(error);
            Listeners.fire(listeners.errors, error);
            reconnectLater(status, refused.getMessage(), Duration.ZERO);
        } else {
            // 401 (the token is refused), 403 (address, origin or room forbidden), 400, 404, 426: trying again
            // with the same request cannot help.
            terminate(status, refused.getMessage());
        }
    }

    private void lost(int attemptId, int code, String reason) {
        if (attemptId != generation || closed) {
            return;
        }
        generation++;
        link = null;
        rooms.disconnected();
        requests.disconnected(new RelayException(RelayException.NOT_CONNECTED, "the connection dropped"));
        leaving.clear();
        if (CloseCodes.reconnectsAfter(code, refreshable)) {
            reconnectLater(code, reason, Duration.ZERO);
        } else {
            terminate(code, reason);
        }
    }

    private void reconnectLater(int code, String reason, Duration atLeast) {
        generation++; // this attempt is over: whatever its link still reports is stale
        link = null;
        if (retry != null) {
            retry.cancel();
        }
        Duration delay = backoff.delay(attempt, random);
        if (delay.compareTo(atLeast) < 0) {
            delay = atLeast;
        }
        attempt = Math.min(attempt + 1, 64);
        setState(ConnectionState.DISCONNECTED, code, reason, delay);
        retry = scheduler.schedule(delay, this::dial);
    }

    private void terminate(int code, String reason) {
        if (closed) {
            return;
        }
        closed = true;
        generation++;
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
        if (link != null) {
            link.close(1000, "bye");
            link = null;
        }
        RelayException error = new RelayException(RelayException.CLOSED, "the client is closed: " + reason);
        outbox.failAll(error);
        rooms.all().forEach(room -> room.fail(error));
        statusWaiters.forEach(waiter -> waiter.completeExceptionally(error));
        statusWaiters.clear();
        requests.failAll(error);
        setState(ConnectionState.DISCONNECTED, code, reason, null);
        firstConnect.completeExceptionally(error);
    }

    private void setState(ConnectionState next, int code, String reason, Duration reconnectIn) {
        if (state == next && next != ConnectionState.DISCONNECTED) {
            return;
        }
        state = next;
        Listeners.fire(listeners.states, new StateChange(next, code, reason == null ? "" : reason, reconnectIn));
    }

    /** Routes one link's events onto the scheduler, tagged with the attempt they belong to. */
    private final class LinkEvents implements Connector.Events {
        private final int attemptId;

        LinkEvents(int attemptId) {
            this.attemptId = attemptId;
        }

        @Override
        public void onOpen(Connector.Link opened) {
            submit(() -> {
                if (attemptId != generation || closed) {
                    opened.close(1000, "superseded");
                } else {
                    link = opened;
                }
            });
        }

        @Override
        public CompletableFuture<Void> onText(String text) {
            return handled(() -> received(text));
        }

        @Override
        public CompletableFuture<Void> onBinary(ByteBuffer bytes) {
            // A view each, so that one listener reading the buffer does not empty it for the next.
            return handled(() -> listeners.binary.forEach(listener ->
                    Listeners.fire(List.of(listener), bytes.duplicate())));
        }

        /** Completes once handled, which is when the connector reads another frame: the backlog stays bounded. */
        private CompletableFuture<Void> handled(Runnable handler) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            try {
                scheduler.execute(() -> {
                    try {
                        if (attemptId == generation && link != null) {
                            heard = true;
                            handler.run();
                        }
                    } finally {
                        done.complete(null);
                    }
                });
            } catch (RejectedExecutionException e) {
                done.complete(null);
            }
            return done;
        }

        @Override
        public void onClosed(int code, String reason) {
            submit(() -> lost(attemptId, code, reason));
        }

        @Override
        public void onFailure(Throwable error) {
            submit(() -> lost(attemptId, 0, String.valueOf(error)));
        }
    }

    // ---- the protocol ----

    private void received(String text) {
        JsonNode frame = Frames.parse(text);
        if (frame == null) {
            LOG.log(System.Logger.Level.WARNING, "the server sent a frame that is not JSON: " + text);
            return;
        }
        JsonNode data = frame.path("data");
        switch (frame.path("type").asText()) {
            case MessageType.WELCOME -> welcomed(data);
            case MessageType.ROOM_MESSAGE -> roomMessage(Frames.message(frame));
            case MessageType.PRIVATE_MESSAGE -> deliverOnce(Frames.message(frame), listeners.privates);
            case MessageType.BROADCAST -> deliverOnce(Frames.message(frame), listeners.broadcasts);
            // Not deduplicated: every update of one message has its id, and each one replaces the last.
            case MessageType.MESSAGE_UPDATE -> Listeners.fire(listeners.updates, Frames.message(frame));
            case MessageType.ACK -> acked(data);
            case MessageType.ERROR -> refused(frame, data);
            case MessageType.RESUMED -> resumed(frame, data);
            case MessageType.LEFT, MessageType.PONG, MessageType.JOINED, MessageType.REFRESHED -> {
                String ref = Frames.text(data, "ref");
                if (MessageType.LEFT.equals(frame.path("type").asText())) {
                    leaving.remove(Frames.text(frame, "room_id"));
                }
                if (ref == null) {
                    movedByServer(frame);
                }
                Requests.Request request = requests.answered(ref);
                if (request != null && request.future() != null) {
                    request.future().complete(null);
                }
            }
            case MessageType.STATUS -> {
                requests.answered(Frames.text(data, "ref"));
                statusWaiters.forEach(waiter -> waiter.complete(null));
                statusWaiters.clear();
            }
            case MessageType.USER_JOINED, MessageType.USER_LEFT, MessageType.PRESENCE -> Listeners.fire(
                    listeners.presence, new Presence(frame.path("type").asText(), Frames.text(frame, "room_id"),
                            Frames.text(data, "user_id"), Frames.text(data, "name"), Frames.text(data, "status")));
            case MessageType.TOKEN_EXPIRING -> refreshToken();
            case MessageType.ROOM_CLOSED -> {
                String roomId = Frames.text(frame, "room_id");
                Rooms.Room room = rooms.remove(roomId);
                if (room != null) {
                    room.fail(new RelayException("room_not_found", "room " + roomId + " was closed"));
                }
                Listeners.fire(listeners.roomClosed, roomId);
            }
            default -> {
                // reconnect (the close that follows says it all) and types from newer servers
            }
        }
    }

    /**
     * A {@code joined} or {@code left} this client did not ask for: the user joined or left the room elsewhere (another
     * connection, the REST API), and membership belongs to the user. A left room is forgotten, so that no resume puts
     * the user back in it; a joined one counts as joined, and is resumed after a reconnect.
     */
    private void movedByServer(JsonNode frame) {
        String roomId = Frames.text(frame, "room_id");
        if (roomId == null) {
            return;
        }
        if (MessageType.LEFT.equals(frame.path("type").asText())) {
            Rooms.Room room = rooms.remove(roomId);
            if (room != null) {
                room.fail(new CancellationException("left room " + roomId + " elsewhere"));
            }
        } else if (MessageType.JOINED.equals(frame.path("type").asText()) && rooms.get(roomId) == null
                && !leaving.contains(roomId)) {
            rooms.add(roomId).joined = true;
        }
    }

    private void roomMessage(Message message) {
        String roomId = message.roomId();
        if (roomId != null && rooms.get(roomId) == null) {
            if (leaving.contains(roomId)) {
                return; // published before our leave took effect
            }
            // The server put this connection in the room (the REST API can): count it as joined from here on.
            rooms.add(roomId).joined = true;
        }
        if (rooms.firstDelivery(roomId, message.epoch(), message.seq())) {
            Listeners.fire(listeners.messages, message);
        }
    }

    private void welcomed(JsonNode data) {
        userId = Frames.text(data, "user_id");
        clientId = Frames.text(data, "client_id");
        attempt = 0;
        // The connect room's resumed follows; if the application has left every room, that is where it is left.
        String connectRoom = Frames.text(data, "room_id");
        for (String roomId : leftWhileAway) {
            if (!roomId.equals(connectRoom)) { // that one is left when its resumed arrives, as below
                leaving.add(roomId);
                write(frames.create(MessageType.LEAVE_ROOM).put("room_id", roomId));
            }
        }
        leftWhileAway.clear();
        for (Rooms.Room room : rooms.all()) {
            if (!room.id.equals(connectRoom)) {
                resume(room);
            }
        }
        if (status != null) {
            sendStatus();
        }
        // After the resumes: the server handles a connection's frames in order, so the rooms are joined by then.
        for (Outbox.Pending pending : outbox.inOrder()) {
            write(pending.json);
        }
        setState(ConnectionState.CONNECTED, 0, "", null);
        firstConnect.complete(null);
        if (!heartbeat.isZero()) {
            heard = true;
            probing = false;
            int attemptId = generation;
            scheduler.schedule(heartbeat, () -> heartbeat(attemptId));
        }
    }

    /**
     * A network path can die without a FIN or RST reaching us (a laptop changing networks, a NAT forgetting the
     * connection), and then nothing ever says the connection is gone. Traffic proves it alive; after a quiet interval
     * a ping asks, and after a second one without any answer the connection is dropped and replaced.
     */
    private void heartbeat(int attemptId) {
        if (attemptId != generation || closed || link == null) {
            return;
        }
        if (heard) {
            heard = false;
            probing = false;
        } else if (probing) {
            link.abort();
            lost(attemptId, 0, "the server did not answer within " + heartbeat.multipliedBy(2));
            return;
        } else {
            probing = true;
            write(frames.create(MessageType.PING));
        }
        scheduler.schedule(heartbeat, () -> heartbeat(attemptId));
    }

    /**
     * Sends {@code cancel} for a reply being generated; not queued while disconnected (false then). The reply's
     * last update, state {@code cancelled}, is the answer; a refusal comes to the error listeners.
     */
    boolean cancel(String replyId) {
        if (state != ConnectionState.CONNECTED) {
            return false;
        }
        ObjectNode frame = frames.create(MessageType.CANCEL);
        frame.putObject("data").put("id", replyId);
        write(frame);
        return true;
    }

    private void resume(Rooms.Room room) {
        ObjectNode frame = frames.create(MessageType.RESUME).put("room_id", room.id);
        frame.putObject("data").put("since", room.hasPosition() ? room.seq : 0)
                .put("epoch", room.hasPosition() ? room.epoch : NO_EPOCH);
        request(Requests.Kind.RESUME, room.id, null, frame);
    }

    private void resumed(JsonNode frame, JsonNode data) {
        requests.answered(Frames.text(data, "ref"));
        String roomId = Frames.text(frame, "room_id");
        Rooms.Room room = rooms.get(roomId);
        if (room == null) {
            // The application left while the resume was on its way, or left every room (a connection always opens
            // in one).
            leaving.add(roomId);
            write(frames.create(MessageType.LEAVE_ROOM).put("room_id", roomId));
            return;
        }
        boolean resuming = room.hasPosition();
        boolean recovered = data.path("recovered").asBoolean();
        Resumed event = new Resumed(roomId, recovered, data.path("replayed").asInt(), Frames.text(data, "epoch"),
                data.path("seq").asLong());
        rooms.position(roomId, event.epoch(), event.seq(), recovered);
        room.joined();
        if (resuming) {
            Listeners.fire(recovered ? listeners.recovered : listeners.reload, event);
        }
    }

    private void acked(JsonNode data) {
        String ref = Frames.text(data, "ref");
        Outbox.Pending pending = ref == null ? null : outbox.remove(ref);
        if (pending != null) {
            pending.future.complete(new Ack(ref, Frames.text(data, "id"), data.path("seq").asLong(0),
                    data.path("stored_offline").asBoolean(false)));
        }
    }

    private void refused(JsonNode frame, JsonNode data) {
        RelayException error = new RelayException(Frames.text(data, "code"), Frames.text(frame, "content"));
        String ref = Frames.text(data, "ref");
        if (ref != null) {
            Outbox.Pending pending = outbox.remove(ref);
            if (pending != null) {
                pending.future.completeExceptionally(error);
                return;
            }
            Requests.Request request = requests.answered(ref);
            if (request != null) {
                switch (request.kind()) {
                    case RESUME -> {
                        Rooms.Room room = rooms.remove(request.roomId());
                        if (room != null) {
                            boolean waited = !room.waiters.isEmpty();
                            room.fail(error);
                            if (waited) {
                                return;
                            }
                        }
                    }
                    case STATUS -> {
                        statusWaiters.forEach(waiter -> waiter.completeExceptionally(error));
                        statusWaiters.clear();
                        status = null;
                        return;
                    }
                    case LEAVE, PING -> {
                        request.future().completeExceptionally(error);
                        return;
                    }
                    case REFRESH -> {
                        // nobody waits on a refresh: the error listeners hear of it
                    }
                }
            }
        }
        Listeners.fire(listeners.errors, error);
    }

    private void refreshToken() {
        if (!refreshable) {
            return; // the server closes with 4401 at expiry, which is then final
        }
        int attemptId = generation;
        nextToken().whenComplete((value, error) -> submit(() -> {
            if (attemptId != generation || closed) {
                return;
            }
            if (error != null || value == null) {
                Listeners.fire(listeners.errors, new RelayException("unauthorized",
                        "the token supplier failed to refresh the token: " + error));
                return;
            }
            ObjectNode frame = frames.create(MessageType.REFRESH);
            frame.putObject("data").put("token", value);
            request(Requests.Kind.REFRESH, null, null, frame);
        }));
    }

    private void sendStatus() {
        request(Requests.Kind.STATUS, null, null, frames.create(MessageType.STATUS).put("content", status.wire()));
    }

    private void request(Requests.Kind kind, String roomId, CompletableFuture<Void> future, ObjectNode frame) {
        requests.add(frame.path("id").asText(), new Requests.Request(kind, roomId, future));
        write(frame);
    }

    private void write(ObjectNode frame) {
        write(frame.toString());
    }

    /** A failed write means the connection is going; its close event brings the reconnect and the re-send. */
    private void write(String json) {
        if (link != null) {
            link.sendText(json);
        }
    }

    private void deliverOnce(Message message, List<Consumer<Message>> targets) {
        if (recentIds.firstTime(message.id())) {
            Listeners.fire(targets, message);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private void submit(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "the client is closed; dropped a task");
        }
    }

    /** The supplier's next token; a supplier that throws is a failed token, handled like one that fails later. */
    private CompletionStage<String> nextToken() {
        try {
            return tokens.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
