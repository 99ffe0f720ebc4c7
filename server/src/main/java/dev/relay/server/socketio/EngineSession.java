package dev.relay.server.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.room.RoomIds;
import dev.relay.core.session.Session;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.websocket.ProtocolEndpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;

import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One Engine.IO session and the Socket.IO client it carries, touched on its event loop only. The transport is
 * long-polling (packets queue until the client's next GET; bounded like any connection's outbound bytes) until a
 * WebSocket probes ({@code 2probe}/{@code 3probe}) and upgrades ({@code 5}), or a WebSocket from the start.
 *
 * <p>Socket.IO's packets map onto the hub: {@code CONNECT} checks the JWT and connects a session (or answers
 * {@code CONNECT_ERROR}), an {@code EVENT} named like a Relay message type is that message (its acknowledgement
 * callback gets the hub's answer), and every message the hub sends becomes an event of its type, with the room
 * positions as Socket.IO's recovery offset. A client that reconnects with its {@code pid} and offset is resumed in
 * each room (Relay's resume), and {@code socket.recovered} is true when every room replayed all it missed.
 */
final class EngineSession {
    private static final Logger LOG = LoggerFactory.getLogger(EngineSession.class);
    private static final char SEPARATOR = '\u001e';
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Callbacks waiting for the hub's answer; more is a client not reading its answers. */
    static final int MAX_PENDING_ACKS = 1_000;
    /** The Relay messages a client may emit; anything else is answered with unknown_type. */
    private static final List<String> EVENTS = List.of(MessageType.ROOM_MESSAGE, MessageType.PRIVATE_MESSAGE,
            MessageType.BROADCAST, MessageType.JOIN_ROOM, MessageType.LEAVE_ROOM, "status", "ping");

    final String sid;
    private final SocketIoEndpoint endpoint;
    private final EventLoop loop;
    private final ProtocolEndpoint.Admission admission;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private long queuedBytes;
    private Channel webSocket;
    private boolean upgraded;
    private ChannelHandlerContext poll;
    private boolean pollKeepAlive;
    private String pollOrigin;
    private final ScheduledFuture<?> pinger;
    private boolean awaitingPong;
    private boolean closed;
    // Socket.IO
    private SocketIoConnection connection;
    private Session session;
    /** A CONNECT waits for the cluster's count of the user's connections. */
    private boolean connecting;
    private ScheduledFuture<?> expiry;
    private final Map<String, Long> acks = new HashMap<>();
    private long nextId;
    private String pid;
    /** A binary event waiting for its attachments, those read so far, and its bytes so far. */
    private SocketIoPacket binaryEvent;
    private List<byte[]> attachments = new ArrayList<>();
    private long binaryBytes;
    /** The hub's id of this connection, from its welcome (the session is not assigned yet when it comes). */
    private String clientId;
    private String offeredPid;
    private final Map<String, String> resuming = new HashMap<>();
    private boolean allRecovered = true;
    private final Map<String, Object[]> positions = new LinkedHashMap<>();
    private String offset;

    EngineSession(SocketIoEndpoint endpoint, EventLoop loop, ProtocolEndpoint.Admission admission, Channel webSocket) {
        this.endpoint = endpoint;
        this.loop = loop;
        this.admission = admission;
        this.sid = randomId();
        this.webSocket = webSocket;
        this.upgraded = webSocket != null;
        endpoint.sessions.put(sid, this);
        long interval = endpoint.settings.pingInterval().toMillis();
        this.pinger = loop.scheduleAtFixedRate(this::ping, interval, interval, TimeUnit.MILLISECONDS);
        if (webSocket != null) {
            webSocket.writeAndFlush(new TextWebSocketFrame(openPacket()));
        }
    }

    private static String randomId() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    String openPacket() {
        return "0{\"sid\":\"" + sid + "\",\"upgrades\":" + (upgraded ? "[]" : "[\"websocket\"]")
                + ",\"pingInterval\":" + endpoint.settings.pingInterval().toMillis()
                + ",\"pingTimeout\":" + endpoint.settings.pingTimeout().toMillis()
                + ",\"maxPayload\":" + endpoint.settings.maxMessageSize() + "}";
    }

    EventLoop loop() {
        return loop;
    }

    void execute(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            // The server is stopping; the session goes with it.
        }
    }

    // ---- transport ----

    /** Queues (polling) or writes (WebSocket) one Engine.IO packet; {@code flush} sends what is pending. */
    void send(String packet, boolean flush) {
        if (closed) {
            return;
        }
        if (upgraded) {
            ChannelOutboundBuffer outbound = webSocket.unsafe().outboundBuffer();
            if (outbound != null && outbound.totalPendingWriteBytes() >= endpoint.settings.outboundLimitBytes()) {
                slowConsumer();
                return;
            }
            webSocket.write(new TextWebSocketFrame(packet), webSocket.voidPromise());
            if (flush) {
                webSocket.flush();
            }
            return;
        }
        queue.add(packet);
        queuedBytes += packet.length();
        if (queuedBytes >= endpoint.settings.outboundLimitBytes()) {
            slowConsumer();
            return;
        }
        if (flush) {
            flushPoll();
        }
    }

    void flush() {
        if (closed) {
            return;
        }
        if (upgraded) {
            webSocket.flush();
        } else {
            flushPoll();
        }
    }

    private void slowConsumer() {
        LOG.info("event=slow_consumer protocol=socketio sid={} limit_bytes={}", sid,
                endpoint.settings.outboundLimitBytes());
        endpoint.hub.slowConsumerClosed();
        queue.clear();
        queuedBytes = 0;
        close("slow consumer");
    }

    private void flushPoll() {
        if (poll == null || queue.isEmpty()) {
            return;
        }
        StringBuilder payload = new StringBuilder((int) Math.min(queuedBytes + queue.size(), Integer.MAX_VALUE));
        for (String packet : queue) {
            if (!payload.isEmpty()) {
                payload.append(SEPARATOR);
            }
            payload.append(packet);
        }
        queue.clear();
        queuedBytes = 0;
        answerPoll(payload.toString());
    }

    private void answerPoll(String payload) {
        ChannelHandlerContext answered = poll;
        poll = null;
        SocketIoEndpoint.respond(answered, pollKeepAlive, pollOrigin, HttpResponseStatus.OK, payload);
    }

    /** A long-polling GET: answered at once with what is queued, else when something is. */
    void poll(ChannelHandlerContext ctx, boolean keepAlive, String origin) {
        if (closed || upgraded) {
            SocketIoEndpoint.respond(ctx, keepAlive, origin, HttpResponseStatus.OK, closed ? "1" : "6");
            return;
        }
        if (poll != null) {
            // Engine.IO allows one GET at a time; two mean a broken client.
            SocketIoEndpoint.respond(ctx, false, origin, HttpResponseStatus.BAD_REQUEST, "overlapping polls");
            close("overlapping polls");
            return;
        }
        poll = ctx;
        pollKeepAlive = keepAlive;
        pollOrigin = origin;
        ctx.channel().closeFuture().addListener(gone -> execute(() -> {
            if (poll == ctx) {
                poll = null;
            }
        }));
        flushPoll();
    }

    /** A long-polling POST: its packets, separated by the record separator. */
    void posted(String body) {
        int start = 0;
        while (start <= body.length() && !closed) {
            int end = body.indexOf(SEPARATOR, start);
            String packet = end < 0 ? body.substring(start) : body.substring(start, end);
            if (packet.length() > endpoint.settings.maxMessageSize()) {
                // The limit a WebSocket frame has (1009 there): one packet, not the POST that batches several.
                LOG.info("event=message_too_big protocol=socketio sid={} chars={}", sid, packet.length());
                close("message too big");
                return;
            }
            if (!packet.isEmpty()) {
                if (packet.charAt(0) == 'b') {
                    binary(Base64.getDecoder().decode(packet.substring(1)));
                } else {
                    packet(packet);
                }
            }
            if (end < 0) {
                break;
            }
            start = end + 1;
        }
    }

    /** A WebSocket of this session opened with its sid: it probes before it takes over. */
    void probing(Channel channel) {
        if (closed || upgraded || webSocket != null) {
            channel.writeAndFlush(new CloseWebSocketFrame(1008, "cannot upgrade"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        webSocket = channel;
    }

    void fromWebSocket(Channel channel, String packet) {
        if (channel != webSocket || closed) {
            return;
        }
        if (!upgraded) {
            if (packet.equals("2probe")) {
                channel.writeAndFlush(new TextWebSocketFrame("3probe"));
                if (poll != null) {
                    answerPoll("6"); // the client's poll returns, so it can pause polling and upgrade
                }
                return;
            }
            if (packet.equals("5")) {
                upgraded = true;
                List<String> pending = new ArrayList<>(queue);
                queue.clear();
                queuedBytes = 0;
                if (poll != null) {
                    answerPoll("6");
                }
                pending.forEach(p -> send(p, false));
                webSocket.flush();
                return;
            }
        }
        packet(packet);
    }

    void binaryFromWebSocket(Channel channel, byte[] bytes) {
        if (channel == webSocket && !closed) {
            binary(bytes);
        }
    }

    void webSocketClosed(Channel channel) {
        if (channel != webSocket) {
            return;
        }
        webSocket = null;
        if (upgraded) {
            close("transport close");
        }
    }

    private void packet(String packet) {
        if (packet.isEmpty()) {
            return;
        }
        switch (packet.charAt(0)) {
            case '1' -> close("client close");
            case '2' -> send("3" + packet.substring(1), true);
            case '3' -> awaitingPong = false;
            case '4' -> socketIo(packet.substring(1));
            default -> { } // 6 (noop), and 5 outside an upgrade
        }
    }

    /** An attachment of the binary event being read; the last one completes it. */
    private void binary(byte[] bytes) {
        if (binaryEvent == null) {
            close("binary data without a binary packet");
            return;
        }
        attachments.add(bytes);
        binaryBytes += bytes.length;
        if (binaryBytes > endpoint.settings.maxMessageSize()) {
            // max_message_size holds for the event and its attachments together, as for one WebSocket message.
            LOG.info("event=message_too_big protocol=socketio sid={} bytes={}", sid, binaryBytes);
            close("message too big");
            return;
        }
        if (attachments.size() == binaryEvent.attachments()) {
            SocketIoPacket complete = binaryEvent;
            List<byte[]> all = attachments;
            binaryEvent = null;
            attachments = new ArrayList<>();
            event(complete, all);
        }
    }

    private void ping() {
        if (closed) {
            return;
        }
        if (awaitingPong) {
            return; // the check scheduled with that ping closes the session
        }
        awaitingPong = true;
        send("2", true);
        loop.schedule(() -> {
            if (awaitingPong && !closed) {
                LOG.info("event=heartbeat_timeout protocol=socketio sid={}", sid);
                close("ping timeout");
            }
        }, endpoint.settings.pingTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Ends the session: the hub forgets it, its slots are given back, its transport closes. Idempotent. */
    void close(String why) {
        if (closed) {
            return;
        }
        pinger.cancel(false);
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (poll != null) {
            answerPoll("1");
        }
        closed = true;
        endpoint.sessions.remove(sid);
        if (session != null) {
            endpoint.hub.disconnect(session);
            LOG.info("event=disconnected protocol=socketio client_id={} user={} why=\"{}\"", session.id(),
                    session.userId(), why);
        }
        if (admission != null) {
            admission.end();
        }
        if (webSocket != null && webSocket.isActive()) {
            webSocket.writeAndFlush(new CloseWebSocketFrame(1000, why)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The hub closes the client (kicked, token expired, slow, shutdown): Socket.IO's disconnect, then the close. */
    void closeFromHub(CloseReason reason) {
        send("41", true);
        close(reason.reason());
    }

    // ---- Socket.IO ----

    private void socketIo(String text) {
        SocketIoPacket packet;
        try {
            packet = SocketIoPacket.parse(text);
        } catch (RuntimeException malformed) {
            close("malformed packet");
            return;
        }
        if (!packet.namespace().equals("/")) {
            if (packet.type() == SocketIoPacket.CONNECT) {
                send("44" + packet.namespace() + ",{\"message\":\"Invalid namespace: Relay serves only the main"
                        + " namespace '/'\"}", true);
            }
            return;
        }
        switch (packet.type()) {
            case SocketIoPacket.CONNECT -> connect(packet.json());
            case SocketIoPacket.DISCONNECT -> close("client namespace disconnect");
            case SocketIoPacket.EVENT -> event(packet, List.of());
            case SocketIoPacket.BINARY_EVENT -> {
                if (packet.attachments() <= 0) {
                    event(packet, List.of());
                    return;
                }
                binaryEvent = packet;
                binaryBytes = text.length();
            }
            default -> { } // ACK: the server asks none
        }
    }

    private void connect(String json) {
        if (session != null || connecting) {
            return;
        }
        try {
            JsonNode auth = json == null ? endpoint.codec.mapper().createObjectNode()
                    : endpoint.codec.mapper().readTree(json);
            String token = auth.path("token").isTextual() ? auth.path("token").asText()
                    : admission == null ? null : admission.upgradeToken();
            JwtVerifier.Verified verified = endpoint.verifier.check(token);
            CompletableFuture<Void> slot = admission == null ? CompletableFuture.completedFuture(null)
                    : admission.takeUserSlot(verified.identity().userId());
            if (slot.isDone() && !slot.isCompletedExceptionally()) {
                open(auth, verified);
                return;
            }
            // The cluster's count is asked of Redis: the client waits for the CONNECT answer (socket.io-client
            // buffers its emits until then), which comes back to this session's loop.
            connecting = true;
            slot.whenComplete((taken, failure) -> loop.execute(() -> {
                connecting = false;
                if (closed) {
                    return;
                }
                if (failure == null) {
                    open(auth, verified);
                    return;
                }
                Throwable cause = failure.getCause() == null ? failure : failure.getCause();
                refuseConnect(cause instanceof ProtocolException refused ? refused
                        : new ProtocolException(ErrorCode.INTERNAL_ERROR, "the connection could not be counted"));
            }));
        } catch (ProtocolException refused) {
            refuseConnect(refused);
        } catch (IOException malformed) {
            send("44{\"message\":\"the auth payload is not JSON\",\"data\":{\"code\":\"invalid_json\"}}", true);
        }
    }

    /** The user's slot is held: the hub's session, whose welcome answers the CONNECT. */
    private void open(JsonNode auth, JwtVerifier.Verified verified) {
        try {
            String room = auth.path("room_id").isTextual() ? auth.path("room_id").asText()
                    : endpoint.settings.connectRoom();
            readOffset(auth);
            connection = new SocketIoConnection(this, endpoint.codec);
            session = endpoint.hub.connect(verified.identity(), connection, room);
            session.tokenExpiresAt(verified.expiresAt());
            watchExpiry(verified);
            LOG.info("event=connected protocol=socketio client_id={} user={} transport={}", session.id(),
                    session.userId(), upgraded ? "websocket" : "polling");
        } catch (ProtocolException refused) {
            refuseConnect(refused);
        }
    }

    /** Socket.IO's connect_error, with Relay's code as its data. */
    private void refuseConnect(ProtocolException refused) {
        send("44{\"message\":" + quote(refused.getMessage()) + ",\"data\":{\"code\":\""
                + refused.code().code() + "\"}}", true);
    }

    /** A recovering client's pid and offset: the rooms' positions when it was cut off. */
    private void readOffset(JsonNode auth) {
        if (!auth.path("pid").isTextual() || !auth.path("offset").isTextual()) {
            return;
        }
        for (String room : auth.path("offset").asText().split(",")) {
            String[] parts = room.split("~");
            if (parts.length != 3 || !RoomIds.isValid(parts[0])) {
                positions.clear(); // not an offset Relay wrote: a plain connect
                return;
            }
            try {
                positions.put(parts[0], new Object[] {parts[1], Long.parseLong(parts[2])});
            } catch (NumberFormatException notRelays) {
                positions.clear();
                return;
            }
        }
        offeredPid = auth.path("pid").asText();
    }

    private void watchExpiry(JwtVerifier.Verified verified) {
        long millis = Duration.between(endpoint.hub.clock().instant(),
                verified.expiresAt().plus(endpoint.verifier.clockSkew())).toMillis();
        expiry = loop.schedule(() -> {
            if (connection != null) {
                connection.close(CloseReason.TOKEN_EXPIRED);
            }
        }, Math.max(0, millis) + 1, TimeUnit.MILLISECONDS);
    }

    /** The welcome's turn: resume the offered rooms first, else Socket.IO's CONNECT answer now. */
    void welcomed(String clientId) {
        this.clientId = clientId;
        // Not inside the hub's write: the session may not be assigned yet, and resuming calls the hub again.
        loop.execute(this::afterWelcome);
    }

    private void afterWelcome() {
        if (closed) {
            return;
        }
        if (offeredPid == null || positions.isEmpty()) {
            connected(randomId());
            return;
        }
        for (Map.Entry<String, Object[]> room : List.copyOf(positions.entrySet())) {
            String id = nextId();
            resuming.put(id, room.getKey());
            // As the codec reads a resume: the position goes in the message's control fields.
            endpoint.hub.onMessage(session, new ClientMessage(MessageType.RESUME, id, null, room.getKey(), null, null,
                    Map.of("since", room.getValue()[1], "epoch", room.getValue()[0])));
        }
    }

    /** A {@code resumed} (or its refusal) for a room of the offset; the last one answers CONNECT. */
    boolean resumedAnswer(String ref, boolean recovered) {
        if (resuming.remove(ref) == null) {
            return false;
        }
        allRecovered &= recovered;
        if (resuming.isEmpty()) {
            connected(allRecovered ? offeredPid : randomId());
        }
        return true;
    }

    private void connected(String pid) {
        this.pid = pid;
        offset = null;
        send("40{\"sid\":\"" + clientId + "\",\"pid\":\"" + pid + "\"}", true);
    }

    private void event(SocketIoPacket packet, List<byte[]> binary) {
        if (session == null || packet.json() == null) {
            return;
        }
        try {
            JsonNode args = endpoint.codec.mapper().readTree(packet.json());
            if (!binary.isEmpty()) {
                args = BinaryAttachments.fill(args, binary);
            }
            if (!(args instanceof ArrayNode array) || array.isEmpty() || !array.get(0).isTextual()) {
                throw new ProtocolException(ErrorCode.INVALID_FIELD, "an event is an array that starts with its name");
            }
            String name = array.get(0).asText();
            if (!EVENTS.contains(name)) {
                throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown event '" + name + "': emit one of "
                        + String.join(", ", EVENTS));
            }
            ObjectNode message = array.size() > 1 && array.get(1).isObject() ? (ObjectNode) array.get(1).deepCopy()
                    : endpoint.codec.mapper().createObjectNode();
            message.put("type", name);
            message.remove("id");
            if (packet.ackId() >= 0) {
                if (acks.size() >= MAX_PENDING_ACKS) {
                    throw new ProtocolException(ErrorCode.RATE_LIMITED, "more than " + MAX_PENDING_ACKS
                            + " events are waiting for their acknowledgement");
                }
                String id = nextId();
                acks.put(id, packet.ackId());
                message.put("id", id);
            }
            ClientMessage decoded = endpoint.codec.decode(endpoint.codec.mapper().writeValueAsBytes(message));
            endpoint.hub.onMessage(session, decoded);
        } catch (ProtocolException refused) {
            emitError(packet.ackId() >= 0 ? packet.ackId() : null, refused);
        } catch (IOException | IllegalArgumentException malformed) {
            emitError(packet.ackId() >= 0 ? packet.ackId() : null,
                    new ProtocolException(ErrorCode.INVALID_JSON, "the event is not JSON with valid placeholders"));
        }
    }

    /** A binary attachment for the client, after the packet that announced it. */
    void sendBinary(byte[] bytes) {
        if (closed) {
            return;
        }
        if (upgraded) {
            webSocket.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)), webSocket.voidPromise());
        } else {
            send("b" + Base64.getEncoder().encodeToString(bytes), false);
        }
    }

    /** A refusal decided here, shaped as the hub's {@code error}: to the callback, or as an {@code error} event. */
    private void emitError(Long ackId, ProtocolException refused) {
        String error = "{\"type\":\"error\",\"content\":" + quote(refused.getMessage()) + ",\"data\":{\"code\":\""
                + refused.code().code() + "\"}}";
        send(ackId != null ? "43" + ackId + "[" + error + "]" : "42[\"error\"," + error + "]", true);
    }

    /** An id for a message the hub will answer, unique to this connection (the retry ledger keys ids by user). */
    private String nextId() {
        return "sio-" + clientId + "-" + (++nextId);
    }

    /** The callback waiting for the answer to {@code ref}, taken; null when none waits. */
    Long takeAck(String ref) {
        return ref == null ? null : acks.remove(ref);
    }

    /** A room message's place, remembered for the offset Socket.IO sends back when it recovers. */
    void delivered(String roomId, String epoch, long seq) {
        Object[] known = positions.get(roomId);
        if (known == null || !epoch.equals(known[0]) || seq > (Long) known[1]) {
            positions.put(roomId, new Object[] {epoch, seq});
            offset = null; // built again when the next event needs it
        }
    }

    void forgetRoom(String roomId) {
        if (positions.remove(roomId) != null) {
            offset = null;
        }
    }

    /** The offset every event carries last once connected (Socket.IO's connection state recovery), else null. */
    String offset() {
        if (pid == null) {
            return null;
        }
        if (offset == null) {
            offset = encodeOffset();
        }
        return offset;
    }

    /**
     * {@code room~epoch~seq} per room, joined by commas: neither character is in a room id or an epoch, and the
     * string needs no escaping in JSON. Built per event from a handful of rooms: no JSON, no base64.
     */
    private String encodeOffset() {
        StringBuilder out = new StringBuilder(32 * positions.size());
        positions.forEach((room, position) -> {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(room).append('~').append(position[0]).append('~').append(position[1]);
        });
        return out.toString();
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    String remoteAddress() {
        return admission == null ? "unknown" : admission.clientAddress();
    }

}
