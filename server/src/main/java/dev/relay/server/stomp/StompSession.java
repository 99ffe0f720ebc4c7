package dev.relay.server.stomp;

import dev.relay.core.Hub;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.session.Session;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.websocket.ProtocolEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.stomp.DefaultStompFrame;
import io.netty.handler.codec.stomp.StompCommand;
import io.netty.handler.codec.stomp.StompFrame;
import io.netty.handler.codec.stomp.StompHeaders;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One STOMP connection's frames, mapped onto the hub on the channel's event loop: {@code CONNECT} checks the JWT
 * (the {@code passcode}, an {@code Authorization} header, or the upgrade's token) and connects a session;
 * {@code SUBSCRIBE} to a room joins it, {@code UNSUBSCRIBE} leaves it, {@code SEND} publishes. Everything goes through
 * {@link Hub#onMessage} like a {@code /ws/connect} client's messages, so the rate limit, permissions, filter, length
 * limit, history and cluster apply unchanged; what the hub answers comes back through {@link StompConnection}.
 */
final class StompSession extends SimpleChannelInboundHandler<StompFrame> {
    /** The name of the first STOMP handler, in front of which the heart-beat handler goes. */
    static final String BYTES = "stomp-websocket";
    /** Frames waiting for the hub's answer: each a receipt or a join; more is a client not reading its answers. */
    static final int MAX_PENDING = 1_000;
    /** What a client may send after CONNECT before CONNECTED (SUBSCRIBEs, usually), while its slot is counted. */
    static final int MAX_EARLY_FRAMES = 64;
    private static final Logger LOG = LoggerFactory.getLogger(StompSession.class);
    private static final String BEARER = "Bearer ";

    private final StompEndpoint.Settings settings;
    private final Hub hub;
    private final JsonCodec codec;
    private final JwtVerifier verifier;
    private final ProtocolEndpoint.Admission admission;
    private final Subscriptions subscriptions = new Subscriptions();
    private final Map<String, Pending> pending = new HashMap<>();
    /** Frames that came after CONNECT, before CONNECTED went out: replayed then, bounded. */
    private final ArrayDeque<StompFrame> early = new ArrayDeque<>();
    private StompConnection connection;
    private Session session;
    private boolean connecting;
    private ScheduledFuture<?> expiry;
    private long nextId;

    StompSession(StompEndpoint.Settings settings, Hub hub, JsonCodec codec, JwtVerifier verifier,
                 ProtocolEndpoint.Admission admission) {
        this.settings = settings;
        this.hub = hub;
        this.codec = codec;
        this.verifier = verifier;
        this.admission = admission;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            if (ctx.pipeline().get("http-gate") != null) {
                ctx.pipeline().remove("http-gate"); // HTTP is over for this channel
            }
        } else if (event instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(new TextWebSocketFrame("\n")); // STOMP's heart-beat: an end of line
            } else if (idle.state() == IdleState.READER_IDLE && connection != null) {
                LOG.info("event=heartbeat_timeout protocol=stomp client={}", connection.remoteAddress());
                connection.close(CloseReason.HEARTBEAT_TIMEOUT);
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, StompFrame frame) {
        if (connection != null && connection.isClosing()) {
            return;
        }
        if (connecting) {
            // The socket stopped reading, but one read can hold several frames: they wait for CONNECTED.
            if (early.size() >= MAX_EARLY_FRAMES) {
                refuse(ctx, new ProtocolException(ErrorCode.RATE_LIMITED, "too many frames before CONNECTED"), null);
                return;
            }
            early.add(frame.retain());
            return;
        }
        String receipt = frame.headers().getAsString(StompHeaders.RECEIPT);
        try {
            if (frame.decoderResult().isFailure()) {
                throw new ProtocolException(ErrorCode.INVALID_FIELD,
                        "malformed STOMP frame: " + frame.decoderResult().cause().getMessage());
            }
            if (frame.command() == StompCommand.CONNECT || frame.command() == StompCommand.STOMP) {
                connect(ctx, frame, receipt);
            } else if (session == null) {
                throw new ProtocolException(ErrorCode.UNAUTHORIZED, "send CONNECT first");
            } else {
                handle(frame, receipt);
            }
        } catch (ProtocolException refused) {
            refuse(ctx, refused, receipt);
        }
    }

    private void connect(ChannelHandlerContext ctx, StompFrame frame, String receipt) {
        if (session != null) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "already connected");
        }
        StompHeaders headers = frame.headers();
        String version = StompVersions.negotiate(headers.getAsString(StompHeaders.ACCEPT_VERSION));
        long[] clientBeats = StompVersions.heartBeat(headers.getAsString(StompHeaders.HEART_BEAT));
        JwtVerifier.Verified token = verifier.check(token(headers));
        CompletableFuture<Void> slot = admission.takeUserSlot(token.identity().userId());
        // Until CONNECTED is out (after the cluster's count, when Redis is asked, and the hub's welcome), frames that
        // follow the CONNECT wait for it, in order; the socket stops reading meanwhile.
        connecting = true;
        ctx.channel().config().setAutoRead(false);
        if (slot.isDone() && !slot.isCompletedExceptionally()) {
            open(ctx, token, version, clientBeats);
            return;
        }
        slot.whenComplete((taken, failure) -> ctx.executor().execute(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            try {
                if (failure != null) {
                    Throwable cause = failure.getCause() == null ? failure : failure.getCause();
                    throw cause instanceof ProtocolException refused ? refused
                            : new ProtocolException(ErrorCode.INTERNAL_ERROR, "the connection could not be counted");
                }
                open(ctx, token, version, clientBeats);
            } catch (ProtocolException refused) {
                releaseEarly();
                refuse(ctx, refused, receipt);
            }
        }));
    }

    /** CONNECTED is out: the frames that came after the CONNECT, then reading again. */
    private void replayEarly(ChannelHandlerContext ctx) {
        connecting = false;
        while (!early.isEmpty() && ctx.channel().isActive()) {
            StompFrame next = early.poll();
            try {
                channelRead0(ctx, next);
            } finally {
                next.release();
            }
        }
        ctx.channel().config().setAutoRead(true);
    }

    /** The user's slot is held: the hub's session, whose welcome sends CONNECTED. */
    private void open(ChannelHandlerContext ctx, JwtVerifier.Verified token, String version, long[] clientBeats) {
        long offer = settings.heartbeat().toMillis();
        // STOMP 1.2 §Heart-beating: each side beats at the slower of what one can send and the other wants.
        long outgoing = clientBeats[1] == 0 ? 0 : Math.max(offer, clientBeats[1]);
        long incoming = clientBeats[0] == 0 ? 0 : Math.max(offer, clientBeats[0]);
        connection = new StompConnection(ctx.channel(), codec, settings.outboundLimitBytes(), hub::slowConsumerClosed,
                subscriptions, pending, welcome -> connected(ctx, welcome, version, offer, outgoing, incoming),
                admission.clientAddress());
        session = hub.connect(token.identity(), connection, settings.connectRoom());
        session.tokenExpiresAt(token.expiresAt());
        watchExpiry(ctx, token.expiresAt());
        LOG.info("event=connected protocol=stomp client_id={} user={} client={}", session.id(), session.userId(),
                connection.remoteAddress());
    }

    private void releaseEarly() {
        StompFrame frame;
        while ((frame = early.poll()) != null) {
            frame.release();
        }
    }

    /** The JWT: the {@code passcode}, else an {@code Authorization: Bearer} header, else the upgrade's. */
    private String token(StompHeaders headers) {
        String passcode = headers.getAsString(StompHeaders.PASSCODE);
        if (passcode != null && !passcode.isBlank()) {
            return passcode;
        }
        String authorization = headers.getAsString("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return authorization.substring(BEARER.length()).strip();
        }
        String upgrade = admission.upgradeToken();
        if (upgrade == null) {
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "a token is required: send the JWT as the CONNECT"
                    + " frame's 'passcode' or 'Authorization: Bearer <token>' header");
        }
        return upgrade;
    }

    /** The welcome's turn: CONNECTED, and the heart-beats from now on. */
    private void connected(ChannelHandlerContext ctx, Map<String, Object> welcome, String version, long offer,
                           long outgoing, long incoming) {
        Map<?, ?> data = welcome.get("data") instanceof Map<?, ?> map ? map : Map.of();
        StompFrame frame = new DefaultStompFrame(StompCommand.CONNECTED);
        frame.headers().set(StompHeaders.VERSION, version);
        frame.headers().set(StompHeaders.HEART_BEAT, offer + "," + offer);
        frame.headers().set(StompHeaders.SERVER, "Relay");
        frame.headers().set(StompHeaders.SESSION, String.valueOf(data.get("client_id")));
        frame.headers().set("user-name", String.valueOf(data.get("user_id")));
        connection.writeFrame(frame);
        if (outgoing > 0 || incoming > 0) {
            // A client's beat may be late by pong_wait, as a pong may, before the connection counts as dead.
            long readerIdle = incoming == 0 ? 0 : incoming + settings.heartbeatGrace().toMillis();
            ctx.pipeline().addBefore(BYTES, "stomp-heartbeat",
                    new IdleStateHandler(readerIdle, outgoing, 0, TimeUnit.MILLISECONDS));
        }
        // Not inside the hub's write: the early frames go to the hub again.
        ctx.executor().execute(() -> replayEarly(ctx));
    }

    private void handle(StompFrame frame, String receipt) {
        StompHeaders headers = frame.headers();
        switch (frame.command()) {
            case SUBSCRIBE -> subscribe(headers, receipt);
            case UNSUBSCRIBE -> unsubscribe(headers, receipt);
            case SEND -> send(frame, receipt);
            case DISCONNECT -> {
                if (receipt != null) {
                    connection.writeFrame(StompFrames.receipt(receipt));
                }
                connection.close(CloseReason.NORMAL);
            }
            case ACK, NACK -> { } // every subscription is ack:auto: delivered is done
            case BEGIN, COMMIT, ABORT -> throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "transactions are not supported");
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    "unknown STOMP command " + frame.command());
        }
        connection.flush();
    }

    private void subscribe(StompHeaders headers, String receipt) {
        String ack = headers.getAsString(StompHeaders.ACK);
        if (ack != null && !ack.equals("auto")) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "only 'ack:auto' is supported");
        }
        Destination destination = Destination.subscription(headers.getAsString(StompHeaders.DESTINATION));
        String id = headers.getAsString(StompHeaders.ID);
        subscriptions.add(id, destination);
        switch (destination.kind()) {
            case ROOM -> hub.onMessage(session, new ClientMessage(MessageType.JOIN_ROOM, track(receipt, id), null,
                    destination.target(), null, null));
            case PRIVATE -> {
                answerNow(receipt);
                connection.releaseHeldPrivate();
            }
            default -> answerNow(receipt);
        }
    }

    private void unsubscribe(StompHeaders headers, String receipt) {
        String id = headers.getAsString(StompHeaders.ID);
        Destination destination = subscriptions.remove(id);
        if (destination == null) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "no subscription with id '" + id + "'");
        }
        if (destination.kind() == Destination.Kind.ROOM) {
            hub.onMessage(session, new ClientMessage(MessageType.LEAVE_ROOM, track(receipt, null), null,
                    destination.target(), null, null));
        } else {
            answerNow(receipt);
        }
    }

    /**
     * A SEND: its body is the message's {@code content}; a JSON body ({@code content-type: application/json}) is
     * read like a {@code /ws/connect} message for its {@code content} and {@code data}.
     */
    private void send(StompFrame frame, String receipt) {
        Destination destination = Destination.send(frame.headers().getAsString(StompHeaders.DESTINATION));
        String contentType = frame.headers().getAsString(StompHeaders.CONTENT_TYPE);
        ByteBuf body = frame.content();
        String content;
        RawJson data = null;
        if (contentType != null && contentType.startsWith(StompFrames.JSON)) {
            ClientMessage parsed = codec.decode(body.duplicate());
            content = parsed.content();
            data = parsed.data();
        } else {
            content = body.isReadable() ? body.toString(StandardCharsets.UTF_8) : null;
        }
        // Only a frame that asked for a receipt gets an id: the hub acks messages with ids, and the ack is its use.
        String id = receipt == null ? null : track(receipt, null);
        ClientMessage message = destination.kind() == Destination.Kind.TO_ROOM
                ? new ClientMessage(MessageType.ROOM_MESSAGE, id, content, destination.target(), null, data)
                : new ClientMessage(MessageType.PRIVATE_MESSAGE, id, content, null, destination.target(), data);
        hub.onMessage(session, message);
    }

    /**
     * The id of a message the hub will answer, unique to this connection (the hub's retry ledger keys ids by user,
     * so two connections of one user must never reuse each other's), remembered with what its answer releases.
     */
    private String track(String receipt, String subscriptionId) {
        if (pending.size() >= MAX_PENDING) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "more than " + MAX_PENDING
                    + " frames are waiting for their receipt");
        }
        String id = "stomp-" + session.id() + "-" + (++nextId);
        pending.put(id, new Pending(receipt, subscriptionId));
        return id;
    }

    private void answerNow(String receipt) {
        if (receipt != null) {
            connection.writeFrame(StompFrames.receipt(receipt));
        }
    }

    private void watchExpiry(ChannelHandlerContext ctx, Instant expiresAt) {
        // STOMP has no way to refresh a token: the connection lives until exp (plus the skew a handshake allows).
        long millis = Duration.between(hub.clock().instant(), expiresAt.plus(verifier.clockSkew())).toMillis();
        expiry = ctx.executor().schedule(() -> {
            LOG.info("event=token_expired protocol=stomp client_id={} user={}", session.id(), session.userId());
            connection.close(CloseReason.TOKEN_EXPIRED);
        }, Math.max(0, millis) + 1, TimeUnit.MILLISECONDS);
    }

    /** An ERROR for the refused frame, then the close STOMP requires after one. */
    private void refuse(ChannelHandlerContext ctx, ProtocolException refused, String receipt) {
        LOG.debug("event=stomp_refused code={} detail=\"{}\"", refused.code().code(), refused.getMessage());
        if (connection != null) {
            connection.writeFrame(StompFrames.error(refused, receipt));
            connection.closeQuietly(new CloseReason(1008, "STOMP ERROR sent"));
            return;
        }
        ctx.write(StompFrames.error(refused, receipt));
        ctx.writeAndFlush(new CloseWebSocketFrame(1008, "STOMP ERROR sent")).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseEarly();
        if (expiry != null) {
            expiry.cancel(false);
        }
        if (connection != null) {
            connection.releaseHeld();
        }
        if (session != null) {
            hub.disconnect(session);
            LOG.info("event=disconnected protocol=stomp client_id={} user={}", session.id(), session.userId());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            // The WebSocket decoder only reports (1009 too big, 1007 not UTF-8...): the close with its status is sent
            // here, once; it reads nothing more from this connection.
            WebSocketCloseStatus status = corrupted.closeStatus() == null
                    ? WebSocketCloseStatus.PROTOCOL_ERROR : corrupted.closeStatus();
            CloseReason reason = new CloseReason(status.code(), status.reasonText());
            if (connection != null) {
                connection.closeQuietly(reason);
            } else {
                ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), status.reasonText()))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        if (cause instanceof TooLongFrameException && connection != null) {
            // A fragmented message grew past max_message_size: the same answer as one frame that is too big.
            connection.closeQuietly(CloseReason.MESSAGE_TOO_BIG);
            return;
        }
        if (cause instanceof DecoderException) {
            refuse(ctx, new ProtocolException(ErrorCode.INVALID_FIELD, "malformed STOMP frame: "
                    + cause.getMessage()), null);
            return;
        }
        if (cause instanceof IOException) {
            LOG.debug("event=connection_lost protocol=stomp client={} cause=\"{}\"", ctx.channel().remoteAddress(),
                    cause.toString());
        } else {
            LOG.error("event=connection_error protocol=stomp client={}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
