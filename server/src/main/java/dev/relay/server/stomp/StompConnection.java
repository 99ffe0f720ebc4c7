package dev.relay.server.stomp;

import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.delivery.Connection;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.MessageType;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.codec.ReadBack;
import dev.relay.server.codec.WireFrame;
import dev.relay.server.websocket.LoopSends;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.stomp.DefaultStompFrame;
import io.netty.handler.codec.stomp.StompCommand;
import io.netty.handler.codec.stomp.StompFrame;
import io.netty.handler.codec.stomp.StompHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A STOMP client as the hub sees it: what the hub writes (Relay's JSON messages, encoded once for all recipients) is
 * read back here and becomes the STOMP frame it means for this client: the welcome its {@code CONNECTED}, a room
 * message a {@code MESSAGE} of the room's subscription (its body the JSON as encoded), an answer to a frame that asked
 * for a receipt its {@code RECEIPT}, an error an {@code ERROR} after which the connection closes (as STOMP requires).
 * What the client did not subscribe to is not sent. Reading each frame back costs a JSON parse per recipient, which
 * {@code /ws/connect}'s pre-framed bytes avoid; STOMP clients pay for their framing.
 *
 * <p>Outbound bytes are bounded as for {@code /ws/connect}: once {@link #hardLimitBytes} are queued and unsent the
 * connection is closed as a slow consumer.
 */
final class StompConnection implements Connection {
    private static final Logger LOG = LoggerFactory.getLogger(StompConnection.class);
    private static final long CLOSE_GRACE_MILLIS = 1000;
    /** Private messages kept for a client that has not subscribed to its queue yet (held ones come at connect). */
    static final int HELD_PRIVATE_MAX = 1_000;
    /** How an ERROR is followed: the close says why, the ERROR frame has said the rest. */
    private static final CloseReason AFTER_ERROR = new CloseReason(1008, "STOMP ERROR sent");

    private final Channel channel;
    private final JsonCodec codec;
    private final long hardLimitBytes;
    private final Runnable onSlowConsumer;
    private final Subscriptions subscriptions;
    private final Map<String, Pending> pending;
    private final Consumer<Map<String, Object>> welcomed;
    private final String remoteAddress;
    /** Private messages that arrived before the client subscribed to {@code /user/queue/messages}; retained. */
    private final ArrayDeque<WireFrame> heldPrivate = new ArrayDeque<>();
    private boolean closing;

    StompConnection(Channel channel, JsonCodec codec, long hardLimitBytes, Runnable onSlowConsumer,
                    Subscriptions subscriptions, Map<String, Pending> pending, Consumer<Map<String, Object>> welcomed,
                    String clientAddress) {
        this.channel = channel;
        this.codec = codec;
        this.hardLimitBytes = hardLimitBytes;
        this.onSlowConsumer = onSlowConsumer;
        this.subscriptions = subscriptions;
        this.pending = pending;
        this.welcomed = welcomed;
        this.remoteAddress = channel.remoteAddress() instanceof InetSocketAddress peer
                && !clientAddress.equals(peer.getAddress().getHostAddress())
                ? clientAddress + " via " + peer.getAddress().getHostAddress() : clientAddress;
    }

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public void write(EncodedFrame frame) {
        if (closing || !channel.isActive()) {
            return;
        }
        ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        long queued = outbound == null ? 0 : outbound.totalPendingWriteBytes();
        if (queued >= hardLimitBytes) {
            LOG.info("event=slow_consumer protocol=stomp client={} pending_bytes={} limit_bytes={}", remoteAddress,
                    queued, hardLimitBytes);
            onSlowConsumer.run();
            close(CloseReason.SLOW_CONSUMER);
            return;
        }
        WireFrame wire = (WireFrame) frame;
        if (!wire.isText()) {
            return; // a relayed binary WebSocket frame has no STOMP meaning
        }
        Map<String, Object> message = ReadBack.of(codec, wire).fields();
        String type = String.valueOf(message.get("type"));
        Map<?, ?> data = message.get("data") instanceof Map<?, ?> map ? map : Map.of();
        switch (type) {
            case MessageType.WELCOME -> welcomed.accept(message);
            case MessageType.ACK, MessageType.JOINED, MessageType.LEFT -> answered(data.get("ref"));
            case MessageType.ERROR -> refused(message, data, wire);
            case MessageType.ROOM_MESSAGE -> deliver(subscriptions.roomId(String.valueOf(message.get("room_id"))),
                    Destination.ROOM_TOPIC + message.get("room_id"), message, wire);
            case MessageType.PRIVATE_MESSAGE -> {
                if (subscriptions.privateId() != null) {
                    deliver(subscriptions.privateId(), Destination.PRIVATE_QUEUE, message, wire);
                } else {
                    hold(wire);
                }
            }
            case MessageType.BROADCAST -> deliver(subscriptions.broadcastId(), Destination.BROADCAST_TOPIC, message,
                    wire);
            default -> { } // presence, status, pongs...: STOMP clients subscribe to messages only
        }
    }

    /** Writes a frame of this connection's own (CONNECTED, RECEIPT), unless it is closing. Event loop only. */
    void writeFrame(StompFrame frame) {
        if (closing || !channel.isActive()) {
            frame.release();
            return;
        }
        channel.write(frame, channel.voidPromise());
    }

    /** The private messages held until now, once the client subscribed to its queue. Event loop only. */
    void releaseHeldPrivate() {
        while (!heldPrivate.isEmpty()) {
            WireFrame held = heldPrivate.poll();
            try {
                write(held);
            } finally {
                held.release();
            }
        }
        flush();
    }

    private void hold(WireFrame wire) {
        if (heldPrivate.size() >= HELD_PRIVATE_MAX) {
            heldPrivate.poll().release(); // the oldest goes, as offline_max_messages drops the oldest
        }
        heldPrivate.add(wire.retain());
    }

    private void answered(Object ref) {
        Pending answer = ref instanceof String id ? pending.remove(id) : null;
        if (answer != null && answer.receipt() != null) {
            writeFrame(StompFrames.receipt(answer.receipt()));
        }
    }

    private void refused(Map<String, Object> message, Map<?, ?> data, WireFrame wire) {
        Pending answer = data.get("ref") instanceof String id ? pending.remove(id) : null;
        if (answer != null && answer.subscriptionId() != null) {
            subscriptions.remove(answer.subscriptionId());
        }
        ByteBuf body = wire.payload().retainedSlice();
        StompFrame error = StompFrames.error(String.valueOf(data.get("code")), String.valueOf(message.get("content")),
                answer == null ? null : answer.receipt(), body);
        error.headers().set(StompHeaders.CONTENT_TYPE, StompFrames.JSON);
        channel.writeAndFlush(error, channel.voidPromise());
        closeQuietly(AFTER_ERROR);
    }

    private void deliver(String subscriptionId, String destination, Map<String, Object> message, WireFrame wire) {
        if (subscriptionId == null) {
            return;
        }
        ByteBuf body = wire.payload().retainedSlice();
        StompFrame frame = new DefaultStompFrame(StompCommand.MESSAGE, body);
        StompHeaders headers = frame.headers();
        headers.set(StompHeaders.DESTINATION, destination);
        headers.set(StompHeaders.SUBSCRIPTION, subscriptionId);
        headers.set(StompHeaders.MESSAGE_ID, String.valueOf(message.get("id")));
        if (message.get("seq") != null) {
            headers.set("seq", String.valueOf(message.get("seq")));
        }
        if (message.get("epoch") != null) {
            headers.set("epoch", String.valueOf(message.get("epoch")));
        }
        headers.set(StompHeaders.CONTENT_TYPE, StompFrames.JSON);
        headers.setInt(StompHeaders.CONTENT_LENGTH, body.readableBytes());
        channel.write(frame, channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void send(EncodedFrame frame) {
        LoopSends.send(channel.eventLoop(), frame, onLoop -> {
            write(onLoop);
            flush();
        });
    }

    /**
     * Closes with an ERROR frame saying why (the hub's reasons: token expired, kicked, slow, shutting down), then
     * the WebSocket close; a normal close has no ERROR.
     */
    @Override
    public void close(CloseReason reason) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> close(reason));
            return;
        }
        if (closing || !channel.isActive()) {
            return;
        }
        if (reason.code() != CloseReason.NORMAL.code()) {
            ByteBuf body = Unpooled.copiedBuffer(reason.reason(), StandardCharsets.UTF_8);
            StompFrame error = StompFrames.error("closed_" + reason.code(), reason.reason(), null, body);
            error.headers().set(StompHeaders.CONTENT_TYPE, "text/plain");
            channel.write(error, channel.voidPromise());
        }
        closeQuietly(reason);
    }

    /** The WebSocket close, without an ERROR of its own. */
    void closeQuietly(CloseReason reason) {
        if (closing || !channel.isActive()) {
            return;
        }
        closing = true;
        releaseHeld();
        channel.writeAndFlush(new CloseWebSocketFrame(reason.code(), reason.reason()))
                .addListener(ChannelFutureListener.CLOSE);
        // A peer that reads nothing would keep the close frame (and the socket) forever.
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Drops what was held for a queue never subscribed to. Event loop only; again when the channel closes. */
    void releaseHeld() {
        while (!heldPrivate.isEmpty()) {
            heldPrivate.poll().release();
        }
    }

    boolean isClosing() {
        return closing;
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }
}
