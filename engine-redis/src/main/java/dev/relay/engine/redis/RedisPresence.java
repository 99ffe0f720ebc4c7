package dev.relay.engine.redis;

import dev.relay.core.cluster.PresenceStore;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Presence on Redis: every {@code ttl / 3} a node replaces its set of online users and its connection count (both
 * expiring after {@code ttl}) and stamps itself in the set of live nodes; then it reads the union of the live nodes'
 * users. A node that dies stops stamping, and its users are gone within the TTL. All of it runs on the store's own
 * thread, with blocking calls, never on an event loop. Every key carries the hash tag {@code {presence}}, so on Redis
 * Cluster the heartbeat script, the union and the multi-get stay on one shard (a cluster connection has no
 * {@code MULTI}, hence a script rather than a transaction).
 *
 * <p>Besides the beat, each user's first and last connection on this node is shared as it happens ({@link #share},
 * one script call, sent without waiting on the same connection so one user's changes keep their order): a per-node
 * set that does not expire and a cluster hash of how many nodes each user is on. The script that moves the count
 * from 0 or to 0 is the cluster's transition, and only its caller hears so. A dead node's set stays until the
 * survivor that takes the node out empties it, answering the users then on no node.
 */
public final class RedisPresence implements PresenceStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisPresence.class);
    /** Lua's unpack has a stack limit: users are added this many at a time. */
    private static final int ADD_BATCH = 1_000;
    /**
     * KEYS: this node's users, its connection count, the live nodes. ARGV: ttl ms, connection count, now ms, node
     * id, then the users. Answers 1 when the node was not among the live nodes (its first beat, or it was taken for
     * dead). Dead nodes are not dropped here: {@link #takeOutDead} first takes their users out of the rooms.
     */
    private static final String BEAT = """
            redis.call('DEL', KEYS[1])
            for i = 5, #ARGV, %d do
              redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + %d, #ARGV)))
            end
            if #ARGV > 4 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[1])
            return redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
            """.formatted(ADD_BATCH, ADD_BATCH - 1);

    /**
     * KEYS: this node's users by change ({@code <node>:here}, kept until a node takes it out, unlike the beat's set
     * that expires), the cluster's users (user to the number of nodes they are on). ARGV: user, 1 (online here) or
     * 0. Answers 1 when the change is the user's first node or last one: the cluster's transition.
     */
    private static final String SHARE = """
            if ARGV[2] == '1' then
              if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
              if redis.call('HINCRBY', KEYS[2], ARGV[1], 1) == 1 then return 1 end
              return 0
            end
            if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
            if redis.call('HINCRBY', KEYS[2], ARGV[1], -1) <= 0 then
              redis.call('HDEL', KEYS[2], ARGV[1])
              return 1
            end
            return 0
            """;
    /**
     * KEYS as {@link #SHARE}, for a node taken out (dead, started again, closing). Answers the users it had who are
     * then on no node; a second survivor running it finds the node's set gone and answers nobody.
     */
    private static final String TAKE_OUT = """
            local gone = {}
            for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              if redis.call('HINCRBY', KEYS[2], user, -1) <= 0 then
                redis.call('HDEL', KEYS[2], user)
                table.insert(gone, user)
              end
            end
            redis.call('DEL', KEYS[1])
            return gone
            """;
    /** KEYS as {@link #SHARE}; ARGV: the users this node has. Answers those it brought back online cluster-wide. */
    private static final String PUT_BACK = """
            local back = {}
            for _, user in ipairs(ARGV) do
              if redis.call('SADD', KEYS[1], user) == 1 and redis.call('HINCRBY', KEYS[2], user, 1) == 1 then
                table.insert(back, user)
              end
            end
            return back
            """;

    private final String nodeId;
    private final Duration ttl;
    private final Clock clock;
    private final String nodes;
    private final String prefix;
    private final AbstractRedisClient client;
    private final ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "relay-presence");
        thread.setDaemon(true);
        return thread;
    });
    private volatile StatefulConnection<String, String> connection;
    private volatile RedisClusterCommands<String, String> redis;
    /** The same connection, for {@link #share}: commands sent in the order they are called, none waited for. */
    private volatile RedisClusterAsyncCommands<String, String> async;
    private volatile LocalPresence local;
    private volatile ClusterCounts counts = new ClusterCounts(0, 0, 1);
    private volatile RedisRoomPresence rooms;
    /** Whether this node has beaten once: from then on, being added to the live nodes again means it was taken out. */
    private boolean beaten;

    public RedisPresence(String url, String keyPrefix, String nodeId, Duration ttl, Clock clock) {
        this.nodeId = nodeId;
        this.ttl = ttl;
        this.clock = clock;
        this.prefix = keyPrefix + "{presence}:";
        this.nodes = prefix + "nodes";
        if (url.toLowerCase(java.util.Locale.ROOT).matches("rediss?-cluster://.*")) {
            RedisClusterClient cluster = RedisClusterClient.create(RedisLink.seeds(url));
            cluster.setOptions(ClusterClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(5)))
                    .build());
            this.client = cluster;
        } else {
            RedisClient single = RedisClient.create(RedisURI.create(url));
            single.setOptions(ClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(5)))
                    .build());
            this.client = single;
        }
    }

    private String users(String node) {
        return prefix + node + ":users";
    }

    private String connections(String node) {
        return prefix + node + ":connections";
    }

    private String[] userKeys(String node) {
        return new String[]{prefix + node + ":here", prefix + "online"};
    }

    /** Connects (blocking, at start) and beats once before returning, so the first counts include this node. */
    @Override
    public void start(LocalPresence local) {
        this.local = local;
        if (client instanceof RedisClusterClient cluster) {
            StatefulRedisClusterConnection<String, String> c = cluster.connect();
            RedisClusterLink.connectEveryNode(c);
            connection = c;
            redis = c.sync();
            async = c.async();
        } else {
            var c = ((RedisClient) client).connect();
            connection = c;
            redis = c.sync();
            async = c.async();
        }
        // What an earlier run under this id left: those users are not here any more.
        takeOut(nodeId);
        counts = new ClusterCounts(local.onlineUserIds().size(), local.connections(), 1);
        beatOnce();
        long period = Math.max(100, ttl.toMillis() / 3);
        beat.scheduleWithFixedDelay(this::beatOnce, period, period, TimeUnit.MILLISECONDS);
    }

    /** Publishes this node's share, then reads everyone's. Public for tests that cannot wait for the schedule. */
    public void beatOnce() {
        try {
            Collection<String> users = local.onlineUserIds();
            int connectionCount = local.connections();
            long now = clock.millis();
            List<String> args = new ArrayList<>(users.size() + 4);
            args.add(Long.toString(ttl.toMillis()));
            args.add(Integer.toString(connectionCount));
            args.add(Long.toString(now));
            args.add(nodeId);
            args.addAll(users);
            Long added = redis.eval(BEAT, ScriptOutputType.INTEGER,
                    new String[]{users(nodeId), connections(nodeId), nodes}, args.toArray(String[]::new));
            RedisRoomPresence rooms = this.rooms;
            if (Long.valueOf(1).equals(added) && beaten && rooms != null) {
                // Taken for dead (a pause longer than the TTL, or Redis lost its data): our users were taken out of
                // the rooms, so put them back.
                LOG.warn("this node was taken for dead by the cluster; putting its room presence back");
                rooms.markStale();
            }
            if (Long.valueOf(1).equals(added) && beaten) {
                putBack(users);
            }
            beaten = true;
            takeOutDead(redis, now);

            List<String> live = redis.zrange(nodes, 0, -1);
            List<String> userKeys = new ArrayList<>(live.size());
            List<String> connectionKeys = new ArrayList<>(live.size());
            for (String node : live) {
                userKeys.add(users(node));
                connectionKeys.add(connections(node));
            }
            long online = live.isEmpty() ? 0 : redis.sunion(userKeys.toArray(String[]::new)).size();
            int total = 0;
            if (!live.isEmpty()) {
                for (var value : redis.mget(connectionKeys.toArray(String[]::new))) {
                    total += value.hasValue() ? Integer.parseInt(value.getValue()) : 0;
                }
            }
            counts = new ClusterCounts((int) online, total, live.size());
        } catch (RuntimeException e) {
            // Keep the last view; this node's own entries expire if Redis stays away longer than the TTL.
            LOG.warn("presence heartbeat failed: {}", e.toString());
        }
    }

    /**
     * Nodes whose last beat is older than the TTL: their rooms' entries are taken out (and their users' departures
     * announced) before they leave the set of nodes, so a survivor that fails midway leaves the work for the next
     * beat, its own or another's.
     */
    private void takeOutDead(RedisClusterCommands<String, String> redis, long now) {
        RedisRoomPresence rooms = this.rooms;
        for (String dead : redis.zrangebyscore(nodes, Range.create(Double.NEGATIVE_INFINITY,
                (double) (now - ttl.toMillis())))) {
            takeOut(dead);
            if (rooms != null) {
                try {
                    rooms.reap(dead).get(ttl.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    LOG.warn("could not take dead node {} out of the rooms yet: {}", dead, e.toString());
                    continue;
                }
            }
            redis.zrem(nodes, dead);
        }
        if (rooms != null) {
            rooms.checkStale();
        }
    }

    @Override
    public CompletableFuture<Boolean> share(String userId, boolean online) {
        try {
            return async.eval(SHARE, ScriptOutputType.INTEGER, userKeys(nodeId), userId, online ? "1" : "0")
                    .toCompletableFuture().thenApply(answer -> Long.valueOf(1).equals(answer));
        } catch (RuntimeException e) {
            // Redis unreachable: the change is lost for events (the counts come back with the next beat).
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Takes a node's users out, telling this node's hub of each then online nowhere; blocking, on this thread. */
    private void takeOut(String node) {
        List<String> gone = redis.eval(TAKE_OUT, ScriptOutputType.MULTI, userKeys(node));
        for (String userId : gone) {
            local.transition(userId, false);
        }
    }

    /** After the cluster took this node for dead: its users are put back, those online nowhere else announced. */
    private void putBack(Collection<String> users) {
        if (users.isEmpty()) {
            return;
        }
        List<String> back = redis.eval(PUT_BACK, ScriptOutputType.MULTI, userKeys(nodeId), users.toArray(String[]::new));
        for (String userId : back) {
            local.transition(userId, true);
        }
    }

    /** The room presence whose dead nodes this heartbeat takes out, and whose lost changes it puts back. */
    public void rooms(RedisRoomPresence rooms) {
        this.rooms = rooms;
    }

    @Override
    public ClusterCounts counts() {
        return counts;
    }

    /** Leaves the cluster's presence at once, rather than after the TTL. */
    @Override
    public void close() {
        beat.shutdownNow();
        try {
            if (connection != null) {
                redis.zrem(nodes, nodeId);
                redis.del(users(nodeId), connections(nodeId));
                takeOut(nodeId);
                connection.close();
            }
        } catch (RuntimeException e) {
            LOG.debug("could not remove this node's presence; it expires with the TTL", e);
        } finally {
            client.shutdown();
        }
    }
}
