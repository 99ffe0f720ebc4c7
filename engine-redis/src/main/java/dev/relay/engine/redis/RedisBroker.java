package dev.relay.engine.redis;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.RoomStreams;
import dev.relay.core.codec.MessageCodec;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.ServerMessage;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Broker} on Redis (Lettuce, non-blocking throughout): one connection for commands, one for pub/sub, to one
 * server, a master found through Sentinel, or a Redis Cluster ({@link RedisLink} chooses by the URL). Pub/sub
 * messages are decoded and handed to the hub on a thread of their own ({@link InboundWorker}), so delivering to this
 * node's members never holds up Lettuce's event loops.
 *
 * <p>Room messages are placed by a Lua script, atomically, several of a room per call ({@link RoomPlacer}): it
 * increments the room's {@code seq} (kept with the {@code epoch} in a hash), appends each message to the room's
 * capped stream under the id {@code <seq>-1}, and {@code PUBLISH}es the batch on the room's channel as one payload
 * ({@link RoomFrames}). Redis runs scripts one at a time and delivers a channel's messages in the order they were
 * published, so every node sees a room's messages in seq order. With a client message id the script also remembers
 * the outcome for the dedup window: a retry, on any node, after a lost reply or a failover, is answered with the
 * first attempt's seq and not published twice.
 *
 * <p>On a Redis Cluster the room's channel carries the room's hash tag, so the script's {@code SPUBLISH} stays on the
 * shard that holds the room's keys, and every node's {@code SSUBSCRIBE} goes to that shard.
 *
 * <p>Lettuce reconnects by itself and resubscribes every channel. While Redis is unreachable commands are rejected
 * at once ({@code broker_unavailable}) rather than queued, so nothing is sent late and every refusal is a message the
 * client knows to retry.
 *
 * <p>Redis replicates asynchronously: a message a master acknowledged and then lost in a crash before its replica
 * had it is gone after a failover. With {@link RedisOptions#waitReplicas()} above zero a room message is placed
 * without publishing, then {@code WAIT}ed for on that many replicas, and only then acknowledged and published, so no
 * node delivers, and no client is told about, a message the promoted replica may not have.
 *
 * <p>As {@link RoomStreams} it keeps the streams for a broker that fans out over something else (NATS): room
 * messages are placed without being published, and nothing it receives is handed on but its reconnects.
 */
public final class RedisBroker implements Broker, RoomStreams {
    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);

    /** How long a room message may wait for its replicas before its publish fails (with waitReplicas set). */
    static final Duration WAIT_TIMEOUT = Duration.ofSeconds(1);

    private final RedisOptions options;
    private final MessageCodec codec;
    private final Keys keys;
    private final RedisLink link;
    /** {@link #PLACE} with the topology's publish command (SPUBLISH on a cluster). */
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final Set<String> users = ConcurrentHashMap.newKeySet();
    private final RedisCalls calls;
    private final AtomicLong outages = new AtomicLong();
    private final AtomicBoolean down = new AtomicBoolean();
    private final RoomPlacer placer;
    private volatile Inbound inbound;
    private volatile InboundWorker received;

    public RedisBroker(RedisOptions options, MessageCodec codec) {
        this.options = options;
        this.codec = codec;
        this.keys = new Keys(options.keyPrefix());
        this.link = RedisLink.of(options.url(), options.maxPending() * 2, options.commandTimeout());
        if (options.waitReplicas() > 0 && !link.supportsWait()) {
            throw new IllegalArgumentException("waiting for replicas needs a standalone or Sentinel URL, not "
                    + options.url());
        }
        this.placer = new RoomPlacer(keys, options, link);
        this.calls = new RedisCalls(options.maxPending(), "the cluster's broker");
    }

    @Override
    public String nodeId() {
        return options.nodeId();
    }

    /** Connects (blocking: call it at startup, not on an event loop); fails if Redis cannot be reached. */
    @Override
    public void start(Inbound inbound) {
        this.inbound = inbound;
        received = new InboundWorker("relay-redis-inbound-" + options.nodeId(), inbound::together);
        placer.completeTogether(inbound::together);
        link.connect(new RedisLink.Listener() {
            @Override
            public void message(String channel, byte[] payload) {
                received.execute(channel, () -> receive(channel, payload));
            }

            @Override
            public void down() {
                if (down.compareAndSet(false, true)) {
                    outages.incrementAndGet();
                    LOG.warn("lost the connection to Redis; serving local traffic, reconnecting");
                }
            }

            @Override
            public void resubscribed(String where) {
                down.set(false);
                LOG.info("subscribed again ({}); catching up every room", where);
                // A second catch-up a moment later covers a message published between the first one's reads and
                // the resubscription.
                inbound.reconnected();
                CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(inbound::reconnected);
            }
        });
        placer.load();
        link.followNow(keys.everyoneChannel());
    }

    // ---- publishing ----

    @Override
    public CompletableFuture<ServerMessage> publishToRoom(ServerMessage draft, String proposedEpoch, String retryKey) {
        return place(draft, proposedEpoch, retryKey, true);
    }

    /** Connects as the streams of another broker: only reconnects are passed on, nothing is delivered. */
    @Override
    public void start(Runnable reconnected) {
        start(new Inbound() {
            @Override
            public void roomMessage(ServerMessage placed) {
            }

            @Override
            public void userMessage(String userId, ServerMessage message) {
            }

            @Override
            public void broadcast(ServerMessage message) {
            }

            @Override
            public void reconnected() {
                reconnected.run();
            }
        });
    }

    /** Placed without publishing on the room's channel: the broker this keeps the streams for fans it out. */
    @Override
    public CompletableFuture<ServerMessage> place(ServerMessage draft, String proposedEpoch, String retryKey) {
        return place(draft, proposedEpoch, retryKey, false);
    }

    /**
     * Places a room message in its shared stream, sent on the room's channel if {@code publish}. Messages of a room
     * placed while an earlier placement of it is in flight go to Redis together ({@link RoomPlacer}).
     */
    private CompletableFuture<ServerMessage> place(ServerMessage draft, String proposedEpoch, String retryKey,
                                                   boolean publish) {
        byte[] body = codec.encode(draft);
        return bounded(() -> {
            CompletableFuture<ServerMessage> placed =
                    placer.place(draft, body, proposedEpoch, retryKey, publish && !waits());
            return waits() ? placed.thenCompose(message -> replicated(message, publish)) : placed;
        });
    }

    private boolean waits() {
        return options.waitReplicas() > 0;
    }

    /**
     * Waits until the replicas have everything this connection wrote (the placement included), then publishes: a
     * message is delivered anywhere only once a failover cannot lose it. Too few replicas in time fails the publish;
     * the client's retry with the same id finds the placement and is published then. Publishing a retry again is
     * harmless: nodes drop a seq they have delivered.
     */
    private CompletionStage<ServerMessage> replicated(ServerMessage message, boolean publish) {
        RedisClusterAsyncCommands<byte[], byte[]> async = link.commands();
        return async.waitForReplication(options.waitReplicas(), WAIT_TIMEOUT.toMillis()).thenApply(replicas -> {
            if (replicas < options.waitReplicas()) {
                throw new ProtocolException(ErrorCode.BROKER_UNAVAILABLE, "only " + replicas + " of "
                        + options.waitReplicas() + " Redis replicas confirmed the message in time; it may have been"
                        + " placed, retry it with the same id");
            }
            if (publish) {
                // Not awaited: if it is lost with the connection, the nodes catch up from the stream on reconnect.
                link.publish(keys.roomChannel(message.roomId()),
                        RoomFrames.write(message.seq(), message.epoch(), codec.encode(message)));
            }
            return message;
        });
    }

    @Override
    public CompletableFuture<Long> publishToUser(String userId, ServerMessage message) {
        byte[] payload = fromThisNode(message);
        return bounded(() -> link.publish(keys.userChannel(userId), payload));
    }

    @Override
    public CompletableFuture<Void> publishToEveryone(ServerMessage message) {
        byte[] payload = fromThisNode(message);
        return bounded(() -> link.publish(keys.everyoneChannel(), payload))
                .thenApply(receivers -> null);
    }

    /** On the room's channel under the header {@value Keys#EVENT_HEADER} instead of a seq: not part of the stream. */
    @Override
    public CompletableFuture<Void> publishRoomEvent(ServerMessage event) {
        byte[] payload = Keys.roomEvent(codec.encode(event));
        return bounded(() -> link.publish(keys.roomChannel(event.roomId()), payload))
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

    private <T> CompletableFuture<T> bounded(java.util.function.Supplier<CompletionStage<T>> command) {
        return calls.bounded(command);
    }

    // ---- following ----

    @Override
    public void followRoom(String roomId) {
        if (rooms.add(roomId)) {
            link.follow(keys.roomChannel(roomId));
        }
    }

    @Override
    public void unfollowRoom(String roomId) {
        if (rooms.remove(roomId)) {
            link.unfollow(keys.roomChannel(roomId));
        }
    }

    @Override
    public CompletableFuture<Void> followUser(String userId) {
        if (users.add(userId)) {
            // Completes when Redis confirms the subscription, or fails while Redis is unreachable.
            return link.follow(keys.userChannel(userId));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void unfollowUser(String userId) {
        if (users.remove(userId)) {
            link.unfollow(keys.userChannel(userId));
        }
    }

    /** On the inbound worker's thread, in the order the channels' messages arrived. */
    private void receive(String channel, byte[] payload) {
        Inbound to = inbound;
        try {
            Keys.Channel target = keys.parse(channel);
            if (target.kind() == 'r') {
                if (Keys.isRoomEvent(payload)) {
                    to.roomEvent(codec.decode(Keys.roomEventBody(payload)));
                } else {
                    RoomFrames.read(payload, (seq, epoch, body) -> to.roomMessage(codec, body, seq, epoch));
                }
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
        return bounded(() -> link.commands().hmget(Keys.bytes(keys.roomMeta(roomId)), Keys.bytes("epoch"),
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
        return bounded(() -> link.commands().xrevrange(Keys.bytes(keys.roomStream(roomId)),
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
        return bounded(() -> link.commands().xrange(Keys.bytes(keys.roomStream(roomId)),
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
    public CompletableFuture<Boolean> claimRoom(String roomId, String encoded) {
        // HSETNX: the check and the write are one command, so of two nodes creating the same id one wins.
        return bounded(() -> link.commands().hsetnx(Keys.bytes(keys.rooms()), Keys.bytes(roomId),
                Keys.bytes(encoded)));
    }

    @Override
    public CompletableFuture<Void> deleteRoom(String roomId) {
        placer.forget(roomId);
        return bounded(() -> link.commands().hdel(Keys.bytes(keys.rooms()), Keys.bytes(roomId)))
                .thenCompose(removed -> bounded(() -> link.commands().del(Keys.bytes(keys.roomMeta(roomId)),
                        Keys.bytes(keys.roomStream(roomId)))))
                .thenApply(removed -> null);
    }

    @Override
    public CompletableFuture<Map<String, String>> savedRooms() {
        return bounded(() -> link.commands().hgetall(Keys.bytes(keys.rooms())))
                .thenApply(all -> {
                    Map<String, String> rooms = new java.util.HashMap<>();
                    all.forEach((id, spec) -> rooms.put(Keys.text(id), Keys.text(spec)));
                    return rooms;
                });
    }

    // ---- state ----

    @Override
    public boolean isConnected() {
        return link.isOpen();
    }

    /** How many times the connection to Redis was lost since start. */
    public long outages() {
        return outages.get();
    }

    /** Publishes waiting for Redis's answer now. */
    public int pending() {
        return calls.pending();
    }

    /** Messages received from Redis and dropped because too many were waiting to be handed to the hub. */
    public long droppedInbound() {
        InboundWorker worker = received;
        return worker == null ? 0 : worker.dropped();
    }

    @Override
    public void close() {
        link.close();
        InboundWorker worker = received;
        if (worker != null) {
            worker.close();
        }
    }
}
