package dev.relay.engine.redis;

import dev.relay.core.cluster.Broker;
import dev.relay.core.cluster.RoomPresence;
import dev.relay.core.codec.MessageCodec;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.room.RoomMember;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link RoomPresence} on Redis ({@link RoomScripts}): one script call per change of a user's connections in a room
 * on this node, O(1) in the room's size, so filling a room of n users costs n calls. With the Redis engine the script
 * itself publishes the announcement on the room's channel, so announcements of one room reach every node in the
 * order Redis decided them; with NATS the script only decides, and the broker publishes.
 *
 * <p>A node's entries stay until a node takes them out: the node itself (leaving, or starting again under the same
 * id), or a survivor once the node's heartbeat ({@link RedisPresence}) is older than the presence TTL, which then
 * announces the departures. A change Redis did not take (unreachable, too many waiting) marks this node's share
 * stale; it is put back whole, room by room, at the next check.
 */
public final class RedisRoomPresence implements RoomPresence {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRoomPresence.class);
    /** Changes waiting for Redis at most; past it one is dropped and the whole share is put back later. */
    static final int MAX_PENDING = 50_000;

    private final Keys keys;
    private final String nodeId;
    private final MessageCodec codec;
    private final Broker fanOut;
    private final boolean publishInScript;
    private final RedisLink link;
    private final AtomicInteger pending = new AtomicInteger();
    private final Map<String, String> digests = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean stale;
    private volatile boolean connected;
    private volatile LocalRooms local;

    /**
     * @param fanOut          the cluster's broker: carries announcements the scripts do not publish themselves
     * @param publishInScript true when room events travel on Redis pub/sub (the Redis engine), false for NATS
     */
    public RedisRoomPresence(String url, String keyPrefix, String nodeId, MessageCodec codec, Broker fanOut,
                             boolean publishInScript) {
        this.keys = new Keys(keyPrefix);
        this.nodeId = nodeId;
        this.codec = codec;
        this.fanOut = fanOut;
        this.publishInScript = publishInScript;
        this.link = RedisLink.of(url, MAX_PENDING, Duration.ofSeconds(5));
    }

    @Override
    public void start(LocalRooms local) {
        this.local = local;
        link.connect(RedisLink.NOT_LISTENING);
        connected = true;
        // What an earlier run under this id left: its users are no longer here.
        try {
            putBack(false).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            stale = true;
            LOG.warn("could not clear what an earlier run of node {} left in the rooms; retrying", nodeId, e);
        }
    }

    // ---- changes (event loops, inside the room's lock) ----

    @Override
    public void share(Share share) {
        String roomId = share.roomId();
        byte[] payload = share.announcement() == null ? new byte[0] : Keys.roomEvent(codec.encode(share.announcement()));
        byte[][] args = {
                Keys.bytes(nodeId), Keys.bytes(share.userId()), Keys.bytes(Integer.toString(share.connections())),
                Keys.bytes(Long.toString(share.joinedAt().toEpochMilli())), Keys.bytes(share.name()),
                Keys.bytes(Integer.toString(local.maxRoomUsers())), channel(roomId), payload};
        queue(RoomScripts.SHARE, roomKeys(roomId), args, share.announcement(), roomId);
    }

    @Override
    public void status(String roomId, String userId, String status, ServerMessage event) {
        byte[][] keyArgs = {Keys.bytes(keys.roomUsers(roomId)), Keys.bytes(keys.roomStatus(roomId))};
        byte[][] args = {Keys.bytes(userId), Keys.bytes(status), Keys.bytes(Integer.toString(local.maxRoomUsers())),
                channel(roomId), Keys.roomEvent(codec.encode(event))};
        queue(RoomScripts.STATUS, keyArgs, args, event, null);
    }

    private byte[] channel(String roomId) {
        return publishInScript ? Keys.bytes(keys.roomChannel(roomId)) : new byte[0];
    }

    /**
     * Sends a change without waiting; what Redis does not take makes the share stale. {@code occupancyOf}: the room
     * whose cluster-wide occupancy the answer may report (null for a status, whose answer is only whether to announce).
     */
    private void queue(String script, byte[][] keyArgs, byte[][] args, ServerMessage announcement,
                       String occupancyOf) {
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            markStale("too many changes waiting for Redis", null);
            return;
        }
        CompletionStage<Long> done;
        try {
            done = this.<Long>run(script, ScriptOutputType.INTEGER, keyArgs, args);
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            markStale("Redis did not take a change", e);
            return;
        }
        done.whenComplete((flags, failure) -> {
            // Counted as waiting until the hub has been told, so a change that has settled has been reported.
            try {
                if (failure != null) {
                    markStale("Redis did not take a change", failure);
                    return;
                }
                if ((flags & RoomScripts.ANNOUNCE) != 0 && !publishInScript && announcement != null) {
                    fanOut.publishRoomEvent(announcement);
                }
                if (occupancyOf != null && (flags & (RoomScripts.OCCUPIED | RoomScripts.VACATED)) != 0) {
                    local.occupancy(occupancyOf, (flags & RoomScripts.OCCUPIED) != 0);
                }
            } finally {
                pending.decrementAndGet();
            }
        });
    }

    private void markStale(String why, Throwable failure) {
        if (!stale) {
            stale = true;
            LOG.warn("{}; this node's room presence will be put back", why, failure);
        }
    }

    // ---- putting a node's share back, taking a dead node's out ----

    /** Has this node's share put back at the next check: Redis lost it, or the cluster took this node for dead. */
    public void markStale() {
        stale = true;
    }

    /** Puts this node's share back if a change was lost; the heartbeat calls it. */
    public void checkStale() {
        if (stale) {
            stale = false;
            putBack(true).whenComplete((done, failure) -> {
                if (failure != null) {
                    markStale("could not put this node's room presence back", failure);
                }
            });
        }
    }

    /** Makes every room's entry for this node what the node has now, announcing the difference. */
    CompletableFuture<Void> putBack(boolean withCurrentMembers) {
        List<CompletableFuture<Void>> rooms = new ArrayList<>();
        for (String roomId : local.roomIds()) {
            List<RoomMember> here = withCurrentMembers ? local.membersHere(roomId) : List.of();
            rooms.add(replace(roomId, nodeId, here, false));
        }
        return CompletableFuture.allOf(rooms.toArray(CompletableFuture[]::new));
    }

    /**
     * Takes a dead node's users out of every room, announcing those who are then in it on no node: their departure,
     * then that they are offline. Safe on several survivors at once: the script removes each entry once.
     */
    public CompletableFuture<Void> reap(String deadNode) {
        List<CompletableFuture<Void>> rooms = new ArrayList<>();
        for (String roomId : local.roomIds()) {
            rooms.add(replace(roomId, deadNode, List.of(), true));
        }
        return CompletableFuture.allOf(rooms.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> replace(String roomId, String node, List<RoomMember> members, boolean dead) {
        byte[][] args = new byte[1 + members.size() * 4][];
        args[0] = Keys.bytes(node);
        int at = 1;
        for (RoomMember member : members) {
            args[at++] = Keys.bytes(member.userId());
            args[at++] = Keys.bytes(Integer.toString(member.connections()));
            args[at++] = Keys.bytes(Long.toString(member.joinedAt().toEpochMilli()));
            args[at++] = Keys.bytes(member.name());
        }
        byte[][] keyArgs = roomKeys(roomId, node);
        return this.<List<Object>>run(RoomScripts.REPLACE, ScriptOutputType.MULTI, keyArgs, args)
                .thenCompose(reply -> announceReplaced(roomId, reply, dead))
                .toCompletableFuture();
    }

    /**
     * Completes once every announcement is published, so what a node does after a put-back or a reap (announcing
     * more, over another connection) reaches the nodes after these.
     */
    @SuppressWarnings("unchecked")
    private CompletableFuture<Void> announceReplaced(String roomId, List<Object> reply, boolean dead) {
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        long users = (Long) reply.get(0);
        int max = local.maxRoomUsers();
        List<Object> arrived = (List<Object>) reply.get(1);
        List<Object> departed = (List<Object>) reply.get(2);
        // The script ran alone: the room's users before it are those after, less who arrived, plus who left.
        long before = users - arrived.size() / 2 + departed.size() / 2;
        if (before == 0 && users > 0) {
            local.occupancy(roomId, true);
        } else if (before > 0 && users == 0) {
            local.occupancy(roomId, false);
        }
        boolean announceArrivals = max == 0 || users <= max;
        boolean announceDepartures = max == 0 || users + 1 <= max;
        for (int i = 0; i + 1 < arrived.size() && announceArrivals; i += 2) {
            sent.add(publish(local.arrival(roomId, text(arrived.get(i)), text(arrived.get(i + 1)))));
        }
        for (int i = 0; i + 1 < departed.size() && announceDepartures; i += 2) {
            String userId = text(departed.get(i));
            sent.add(publish(local.departure(roomId, userId, text(departed.get(i + 1)))));
            if (dead) {
                sent.add(publish(local.offline(roomId, userId)));
            }
        }
        if (!departed.isEmpty() && dead) {
            LOG.info("event=presence_reaped room={} users_gone={}", roomId, departed.size() / 2);
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> publish(ServerMessage event) {
        if (event == null) {
            return CompletableFuture.completedFuture(null);
        }
        return fanOut.publishRoomEvent(event).exceptionally(failure -> {
            LOG.warn("could not announce {} in room {}", event.type(), event.roomId(), failure);
            return null;
        });
    }

    // ---- reads ----

    /**
     * The nodes that may have users in the room, then each node's hash and the statuses, sent together: a few
     * commands on the room's shard (every key names its hash tag, so this holds on Redis Cluster too).
     */
    @Override
    public CompletableFuture<List<Member>> members(String roomId) {
        RedisClusterAsyncCommands<byte[], byte[]> redis;
        try {
            redis = link.commands();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Map<byte[], byte[]>> statuses =
                redis.hgetall(Keys.bytes(keys.roomStatus(roomId))).toCompletableFuture();
        return redis.smembers(Keys.bytes(keys.roomNodes(roomId))).toCompletableFuture().thenCompose(nodes -> {
            List<CompletableFuture<Map<byte[], byte[]>>> entries = new ArrayList<>();
            for (byte[] node : nodes) {
                entries.add(redis.hgetall(Keys.bytes(keys.roomOn(roomId, Keys.text(node)))).toCompletableFuture());
            }
            return CompletableFuture.allOf(entries.toArray(CompletableFuture[]::new))
                    .thenCombine(statuses, (done, status) -> merge(entries, status));
        });
    }

    private static List<Member> merge(List<CompletableFuture<Map<byte[], byte[]>>> entries,
                                      Map<byte[], byte[]> statuses) {
        Map<String, String> status = new HashMap<>();
        statuses.forEach((user, value) -> status.put(Keys.text(user), Keys.text(value)));
        Map<String, Member> members = new LinkedHashMap<>();
        for (CompletableFuture<Map<byte[], byte[]>> node : entries) {
            node.join().forEach((user, entry) -> {
                String userId = Keys.text(user);
                String[] value = Keys.text(entry).split(" ", 3);
                Member here = new Member(userId, value.length > 2 ? value[2] : userId, Integer.parseInt(value[0]),
                        Instant.ofEpochMilli(Long.parseLong(value[1])), status.getOrDefault(userId, "online"));
                members.merge(userId, here, (a, b) -> new Member(userId, a.name(), a.connections() + b.connections(),
                        a.joinedAt().isBefore(b.joinedAt()) ? a.joinedAt() : b.joinedAt(), a.status()));
            });
        }
        return List.copyOf(members.values());
    }

    /** Two commands per room, sent together: the users hash's length and the connection counter. */
    @Override
    public CompletableFuture<Map<String, Counts>> counts(Collection<String> roomIds) {
        RedisClusterAsyncCommands<byte[], byte[]> redis;
        try {
            redis = link.commands();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Map<String, RedisFuture<Long>> users = new LinkedHashMap<>();
        Map<String, RedisFuture<byte[]>> connections = new HashMap<>();
        for (String roomId : roomIds) {
            users.put(roomId, redis.hlen(Keys.bytes(keys.roomUsers(roomId))));
            connections.put(roomId, redis.get(Keys.bytes(keys.roomConnections(roomId))));
        }
        List<CompletableFuture<?>> all = new ArrayList<>();
        users.values().forEach(f -> all.add(f.toCompletableFuture()));
        connections.values().forEach(f -> all.add(f.toCompletableFuture()));
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, Counts> counts = new HashMap<>();
            users.forEach((roomId, count) -> {
                byte[] total = connections.get(roomId).toCompletableFuture().join();
                counts.put(roomId, new Counts(count.toCompletableFuture().join().intValue(),
                        total == null ? 0 : Math.max(0, Integer.parseInt(Keys.text(total)))));
            });
            return counts;
        });
    }

    @Override
    public void forget(String roomId) {
        try {
            link.commands().del(Keys.bytes(keys.roomNodes(roomId)), Keys.bytes(keys.roomUsers(roomId)),
                    Keys.bytes(keys.roomConnections(roomId)), Keys.bytes(keys.roomStatus(roomId)),
                    Keys.bytes(keys.roomOn(roomId, nodeId)));
        } catch (RuntimeException e) {
            LOG.debug("could not forget room {}'s presence", roomId, e);
        }
    }

    // ---- plumbing ----

    private byte[][] roomKeys(String roomId) {
        return roomKeys(roomId, nodeId);
    }

    private byte[][] roomKeys(String roomId, String node) {
        return new byte[][]{
                Keys.bytes(keys.roomOn(roomId, node)), Keys.bytes(keys.roomUsers(roomId)),
                Keys.bytes(keys.roomConnections(roomId)), Keys.bytes(keys.roomNodes(roomId)),
                Keys.bytes(keys.roomStatus(roomId))};
    }

    /** EVALSHA, or EVAL the first time and whenever Redis lost its scripts (a restart). */
    private <T> CompletionStage<T> run(String template, ScriptOutputType type, byte[][] keyArgs, byte[][] args) {
        RedisClusterAsyncCommands<byte[], byte[]> redis = link.commands();
        String script = forTopology(template);
        String digest = digests.computeIfAbsent(script, text -> RedisCalls.sha1(Keys.bytes(text)));
        return RedisCalls.script(redis, Keys.bytes(script), digest, type, keyArgs, args);
    }

    /** The scripts announce with {@code PUBLISH}; on Redis Cluster that is the room shard's {@code SPUBLISH}. */
    private String forTopology(String script) {
        String command = link.publishCommand();
        return command.equals("PUBLISH") ? script : script.replace("'PUBLISH'", "'" + command + "'");
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? Keys.text(bytes) : String.valueOf(value);
    }

    /** Changes waiting for Redis now. */
    public int pending() {
        return pending.get();
    }

    /** Takes this node's users out of every room at once (announcing who is then gone), rather than after the TTL. */
    @Override
    public void close() {
        try {
            if (connected && local != null) {
                putBack(false).get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.debug("could not take this node out of the rooms; a survivor will, after the TTL", e);
        } finally {
            link.close();
        }
    }
}
