package dev.relay.engine.redis;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.MessageCodec;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Broker} on Redis (Lettuce, non-blocking throughout): one connection for commands, one for pub/sub,
 * whose messages are decoded and handed to the hub on a thread of their own ({@link InboundWorker}), so delivering
 * to this node's members never holds up Lettuce's event loops.
 *
 * <p>Room messages are placed by a Lua script, atomically, several of a room per call ({@link RoomPlacer}): it
 * increments the room's {@code seq} (kept with the {@code epoch} in a hash), appends each message to the room's
 * capped stream under the id {@code <seq>-1}, and {@code PUBLISH}es the batch on the room's channel as one payload
 * ({@link RoomFrames}). Redis runs scripts one at a time and delivers a channel's messages in the order they were
 * published, so every node sees a room's messages in seq order. With a client message id the script also remembers
 * the outcome for the dedup window: a retry, on any node, after a lost reply or a failover, is answered with the
 * first attempt's seq and not published twice.
 *
 * <p>Lettuce reconnects by itself and resubscribes every channel. While Redis is unreachable commands are rejected
 * at once ({@code broker_unavailable}) rather than queued, so nothing is sent late and every refusal is a message the
 * client knows to retry.
 */
public final class RedisBroker implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);

    private final RedisOptions options;
    private final MessageCodec codec;
    private final Keys keys;
    private final RedisClient client;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final Set<String> users = ConcurrentHashMap.newKeySet();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong outages = new AtomicLong();
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile boolean closing;
    private volatile StatefulRedisConnection<byte[], byte[]> commands;
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
    private final RoomPlacer placer;
    private volatile Inbound inbound;
    private volatile InboundWorker received;

    public RedisBroker(RedisOptions options, MessageCodec codec) {
        this.options = options;
        this.codec = codec;
        this.keys = new Keys(options.keyPrefix());
        this.client = RedisClient.create(RedisURI.create(options.url()));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(options.maxPending() * 2)
                .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
                .build());
        this.placer = new RoomPlacer(keys, options, () -> commands);
    }

    @Override
    public String nodeId() {
        return options.nodeId();
    }

    /** Connects (blocking: call it at startup, not on an event loop); fails if Redis cannot be reached. */
    @Override
    public void start(Inbound inbound) {
        this.inbound = inbound;
        commands = client.connect(ByteArrayCodec.INSTANCE);
        pubSub = client.connectPubSub(ByteArrayCodec.INSTANCE);
        placer.load();
        received = new InboundWorker("relay-redis-inbound-" + options.nodeId());
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                String name = Keys.text(channel);
                received.execute(name, () -> receive(name, message));
            }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (!closing && down.compareAndSet(false, true)) {
                    outages.incrementAndGet();
                    LOG.warn("lost the connection to Redis; serving local traffic, reconnecting");
                }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection == pubSub && down.compareAndSet(true, false)) {
                    LOG.info("reconnected to Redis at {}; catching up every room", address);
                    // Lettuce resubscribes as the connection activates; a second catch-up a moment later covers a
                    // message published between the first one's reads and the resubscription.
                    inbound.reconnected();
                    CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(inbound::reconnected);
                }
            }
        });
        pubSub.sync().subscribe(Keys.bytes(keys.everyoneChannel()));
    }

    // ---- publishing ----

    @Override
    public CompletableFuture<ServerMessage> publishToRoom(ServerMessage draft, String proposedEpoch, String retryKey) {
        return place(draft, proposedEpoch, retryKey, true);
    }

    /**
     * Places a room message in its shared stream; with {@code publish} false it is not sent on the room's channel,
     * for a broker that fans out over something else (NATS) and keeps only the streams here. Messages of a room
     * placed while an earlier placement of it is in flight go to Redis together ({@link RoomPlacer}).
     */
    public CompletableFuture<ServerMessage> place(ServerMessage draft, String proposedEpoch, String retryKey,
                                                  boolean publish) {
        byte[] body = codec.encode(draft);
        return bounded(() -> placer.place(draft, body, proposedEpoch, retryKey, publish));
    }

    @Override
    public CompletableFuture<Long> publishToUser(String userId, ServerMessage message) {
        byte[] payload = fromThisNode(message);
        return bounded(() -> commands.async().publish(Keys.bytes(keys.userChannel(userId)), payload));
    }

    @Override
    public CompletableFuture<Void> publishToEveryone(ServerMessage message) {
        byte[] payload = fromThisNode(message);
        return bounded(() -> commands.async().publish(Keys.bytes(keys.everyoneChannel()), payload))
                .thenApply(receivers -> null);
    }

    private byte[] fromThisNode(ServerMessage message) {
        byte[] header = Keys.bytes(options.nodeId() + "\n");
        byte[] body = codec.encode(message);
        byte[] payload = new byte[header.length + body.length];
        System.arraycopy(header, 0, payload, 0, header.length);
        System.arraycopy(body, 0, payload, header.length, body.length);
        return payload;
    }

    /** Runs a command unless too many are in flight; maps Redis failures to what a client is told. */
    private <T> CompletableFuture<T> bounded(java.util.function.Supplier<CompletionStage<T>> command) {
        if (pending.incrementAndGet() > options.maxPending()) {
            pending.decrementAndGet();
            return CompletableFuture.failedFuture(new ProtocolException(ErrorCode.OVERLOADED,
                    "too many messages are waiting for the broker; the message was not sent, retry"));
        }
        CompletionStage<T> stage;
        try {
            stage = command.get();
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            return CompletableFuture.failedFuture(unavailable(e));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.whenComplete((value, failure) -> {
            pending.decrementAndGet();
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(unavailable(failure));
            }
        });
        return result;
    }

    private static Throwable unavailable(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof ProtocolException) {
            return cause;
        }
        String why = cause instanceof RedisCommandTimeoutException ? "timed out" : "cannot be reached";
        return new ProtocolException(ErrorCode.BROKER_UNAVAILABLE,
                "the cluster's broker " + why + "; the message may not have been sent, retry it with the same id");
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    // ---- following ----

    @Override
    public void followRoom(String roomId) {
        if (rooms.add(roomId)) {
            pubSub.async().subscribe(Keys.bytes(keys.roomChannel(roomId)));
        }
    }

    @Override
    public void unfollowRoom(String roomId) {
        if (rooms.remove(roomId)) {
            pubSub.async().unsubscribe(Keys.bytes(keys.roomChannel(roomId)));
        }
    }

    @Override
    public void followUser(String userId) {
        if (users.add(userId)) {
            pubSub.async().subscribe(Keys.bytes(keys.userChannel(userId)));
        }
    }

    @Override
    public void unfollowUser(String userId) {
        if (users.remove(userId)) {
            pubSub.async().unsubscribe(Keys.bytes(keys.userChannel(userId)));
        }
    }

    /** On the inbound worker's thread, in the order the channels' messages arrived. */
    private void receive(String channel, byte[] payload) {
        Inbound to = inbound;
        try {
            Keys.Channel target = keys.parse(channel);
            if (target.kind() == 'r') {
                RoomFrames.read(payload, (seq, epoch, body) -> to.roomMessage(codec.decode(body).at(seq, epoch)));
                return;
            }
            int newline = RoomFrames.indexOf(payload, (byte) '\n', 0);
            String header = new String(payload, 0, newline, java.nio.charset.StandardCharsets.UTF_8);
            if (header.equals(options.nodeId())) {
                return; // this node's own private message or broadcast, already delivered here
            }
            ServerMessage message = codec.decode(java.util.Arrays.copyOfRange(payload, newline + 1, payload.length));
            if (target.kind() == 'u') {
                to.userMessage(target.id(), message);
            } else {
                to.broadcast(message);
            }
        } catch (RuntimeException e) {
            LOG.warn("dropped an unreadable message on {}", channel, e);
        }
    }

    // ---- the shared stream ----

    @Override
    public CompletableFuture<Optional<StreamPosition>> position(String roomId) {
        return bounded(() -> commands.async().hmget(Keys.bytes(keys.roomMeta(roomId)), Keys.bytes("epoch"),
                Keys.bytes("seq")))
                .thenApply(fields -> {
                    if (fields.get(0).isEmpty() || fields.get(1).isEmpty()) {
                        return Optional.empty();
                    }
                    return Optional.of(new StreamPosition(Keys.text(fields.get(0).getValue()),
                            Long.parseLong(Keys.text(fields.get(1).getValue()))));
                });
    }

    @Override
    public CompletableFuture<List<ServerMessage>> recent(String roomId, int limit) {
        if (limit <= 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        return bounded(() -> commands.async().xrevrange(Keys.bytes(keys.roomStream(roomId)),
                Range.<String>unbounded(), io.lettuce.core.Limit.from(limit)))
                .thenApply(entries -> {
                    List<ServerMessage> messages = new ArrayList<>(entries.size());
                    for (StreamMessage<byte[], byte[]> entry : entries) {
                        messages.add(fromStream(roomId, entry));
                    }
                    Collections.reverse(messages);
                    return messages;
                });
    }

    @Override
    public CompletableFuture<Optional<List<ServerMessage>>> range(String roomId, String epoch, long after,
                                                                  long upTo) {
        if (upTo <= after) {
            return CompletableFuture.completedFuture(Optional.of(List.of()));
        }
        return bounded(() -> commands.async().xrange(Keys.bytes(keys.roomStream(roomId)),
                Range.create((after + 1) + "-0", upTo + "-1")))
                .thenApply(entries -> {
                    if (entries.size() != upTo - after) {
                        return Optional.empty(); // trimmed, or another epoch started: never a partial range
                    }
                    List<ServerMessage> messages = new ArrayList<>(entries.size());
                    for (StreamMessage<byte[], byte[]> entry : entries) {
                        ServerMessage message = fromStream(roomId, entry);
                        if (!epoch.equals(message.epoch())) {
                            return Optional.empty();
                        }
                        messages.add(message);
                    }
                    return Optional.of(messages);
                });
    }

    private ServerMessage fromStream(String roomId, StreamMessage<byte[], byte[]> entry) {
        String id = entry.getId();
        long seq = Long.parseLong(id.substring(0, id.indexOf('-')));
        String epoch = null;
        byte[] body = null;
        for (Map.Entry<byte[], byte[]> field : entry.getBody().entrySet()) {
            String name = Keys.text(field.getKey());
            if (name.equals("e")) {
                epoch = Keys.text(field.getValue());
            } else if (name.equals("b")) {
                body = field.getValue();
            }
        }
        if (epoch == null || body == null) {
            throw new IllegalStateException("room " + roomId + ": stream entry " + id + " is incomplete");
        }
        return codec.decode(body).at(seq, epoch);
    }

    // ---- rooms created at run time ----

    @Override
    public CompletableFuture<Void> saveRoom(String roomId, String encoded) {
        return bounded(() -> commands.async().hset(Keys.bytes(keys.rooms()), Keys.bytes(roomId), Keys.bytes(encoded)))
                .thenApply(added -> null);
    }

    @Override
    public CompletableFuture<Void> deleteRoom(String roomId) {
        placer.forget(roomId);
        return bounded(() -> commands.async().hdel(Keys.bytes(keys.rooms()), Keys.bytes(roomId)))
                .thenCompose(removed -> bounded(() -> commands.async().del(Keys.bytes(keys.roomMeta(roomId)),
                        Keys.bytes(keys.roomStream(roomId)))))
                .thenApply(removed -> null);
    }

    @Override
    public CompletableFuture<Map<String, String>> savedRooms() {
        return bounded(() -> commands.async().hgetall(Keys.bytes(keys.rooms())))
                .thenApply(all -> {
                    Map<String, String> rooms = new java.util.HashMap<>();
                    all.forEach((id, spec) -> rooms.put(Keys.text(id), Keys.text(spec)));
                    return rooms;
                });
    }

    // ---- state ----

    @Override
    public boolean isConnected() {
        StatefulRedisConnection<byte[], byte[]> c = commands;
        StatefulRedisPubSubConnection<byte[], byte[]> p = pubSub;
        return c != null && p != null && c.isOpen() && p.isOpen();
    }

    /** How many times the connection to Redis was lost since start. */
    public long outages() {
        return outages.get();
    }

    /** Publishes waiting for Redis's answer now. */
    public int pending() {
        return pending.get();
    }

    /** Messages received from Redis and dropped because too many were waiting to be handed to the hub. */
    public long droppedInbound() {
        InboundWorker worker = received;
        return worker == null ? 0 : worker.dropped();
    }

    @Override
    public void close() {
        closing = true;
        if (pubSub != null) {
            pubSub.close();
        }
        if (commands != null) {
            commands.close();
        }
        client.shutdown();
        InboundWorker worker = received;
        if (worker != null) {
            worker.close();
        }
    }
}
