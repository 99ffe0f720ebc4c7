package dev.relay.engine.redis;

import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A user's connections on every node, against {@code max_connections_per_user}. Per user one hash, a field per
 * connection ({@code <node run>\n<connection>}); taking a slot counts the fields and adds one in one script, so
 * two nodes admitting the same user at once cannot both take the last slot. One Redis round trip per connection
 * opened (and one per connection closed), none per message.
 *
 * <p>A node that dies leaves its fields behind. Each node run stamps itself in a sorted set every
 * {@code nodeTtl / 3}; a run whose stamp is older than {@code nodeTtl} is dead, and the script ignores and deletes
 * the fields of the dead runs it is given, so a crashed node's connections stop counting within {@code nodeTtl}.
 * A run is named afresh at every start, so a node restarted under the same {@code node_id} does not revive the
 * fields of its previous run. A slot that could not be given back (Redis unreachable) is given back when it is
 * reachable again.
 */
public final class RedisConnectionSlots implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnectionSlots.class);
    /**
     * How long a user's hash outlives its last new connection, so the fields a dead run left with users who do not
     * come back go in the end. (A connection open for longer than this with no newer one of its user stops counting.)
     */
    static final Duration HASH_EXPIRY = Duration.ofDays(1);
    /** How long a dead run is remembered: longer than a hash holding its fields can live. */
    static final Duration REMEMBER_DEAD = HASH_EXPIRY.multipliedBy(2);
    /**
     * KEYS: the user's hash. ARGV: max, field, the hash's expiry in ms, dead runs... Returns 1 when the slot was
     * taken.
     */
    private static final RedisUserState.Script TAKE = RedisUserState.Script.of("""
            local dead = {}
            for i = 4, #ARGV do dead[ARGV[i]] = true end
            local live = 0
            for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
              local run = string.sub(field, 1, (string.find(field, '\\n', 1, true) or 0) - 1)
              if dead[run] then redis.call('HDEL', KEYS[1], field) else live = live + 1 end
            end
            if live >= tonumber(ARGV[1]) then return 0 end
            redis.call('HSET', KEYS[1], ARGV[2], '1')
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """);

    private final RedisUserState redis;
    private final int maxPerUser;
    private final Duration nodeTtl;
    private final Clock clock;
    private final String run;
    private final byte[] runs;
    /** Slots this node failed to give back, retried on each stamp: connection to user. */
    private final Map<String, String> owed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService stamps = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "relay-connection-slots");
        thread.setDaemon(true);
        return thread;
    });
    private volatile byte[][] deadRuns = new byte[0][];

    /**
     * @param maxPerUser connections per user across the cluster; positive
     * @param nodeId     this node's name; a random suffix names this run of it
     * @param nodeTtl    how long a node that stopped stamping still counts (presence_ttl)
     */
    public RedisConnectionSlots(RedisUserState redis, int maxPerUser, String nodeId, Duration nodeTtl, Clock clock) {
        if (maxPerUser < 1) {
            throw new IllegalArgumentException("maxPerUser must be positive");
        }
        this.redis = redis;
        this.maxPerUser = maxPerUser;
        this.nodeTtl = nodeTtl;
        this.clock = clock;
        this.run = nodeId + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.runs = RedisUserState.bytes(redis.key("{slots}:runs"));
    }

    /** Stamps this run (blocking, at start) and keeps stamping it. */
    public RedisConnectionSlots start() {
        stamp().join();
        long period = Math.max(100, nodeTtl.toMillis() / 3);
        stamps.scheduleWithFixedDelay(() -> stamp().join(), period, period, TimeUnit.MILLISECONDS);
        return this;
    }

    /** This node's run, as its connections' fields name it. */
    String run() {
        return run;
    }

    /**
     * Takes a slot for a new connection of the user; completes with false when the user has {@code maxPerUser}
     * connections on the live nodes already, and fails with {@code broker_unavailable} while Redis is unreachable.
     */
    public CompletableFuture<Boolean> tryAcquire(String userId, String connectionId) {
        byte[][] dead = deadRuns;
        byte[][] args = new byte[3 + dead.length][];
        args[0] = RedisUserState.bytes(Integer.toString(maxPerUser));
        args[1] = field(connectionId);
        args[2] = RedisUserState.bytes(Long.toString(HASH_EXPIRY.toMillis()));
        System.arraycopy(dead, 0, args, 3, dead.length);
        return redis.<Long>script(TAKE, ScriptOutputType.INTEGER, new byte[][] {hash(userId)}, args)
                .thenApply(taken -> taken == 1L);
    }

    /** Gives back a connection's slot; idempotent, so it may be called for a slot whose taking failed. */
    public void release(String userId, String connectionId) {
        redis.call(c -> c.hdel(hash(userId), field(connectionId))).whenComplete((removed, failure) -> {
            if (failure != null) {
                owed.put(connectionId, userId);
            }
        });
    }

    /** Slots not yet given back because Redis was unreachable. */
    int owed() {
        return owed.size();
    }

    private CompletableFuture<Void> stamp() {
        long now = clock.millis();
        return redis.call(c -> c.zadd(runs, (double) now, RedisUserState.bytes(run))
                        .thenCompose(added -> c.zremrangebyscore(runs,
                                Range.create(Double.NEGATIVE_INFINITY, (double) (now - REMEMBER_DEAD.toMillis()))))
                        .thenCompose(removed -> c.zrangebyscore(runs,
                                Range.create(Double.NEGATIVE_INFINITY, (double) (now - nodeTtl.toMillis())))))
                .thenAccept(dead -> {
                    deadRuns = dead.toArray(byte[][]::new);
                    owed.forEach((connection, user) -> {
                        owed.remove(connection, user);
                        release(user, connection);
                    });
                })
                .exceptionally(failure -> {
                    // Keep the last view; the other nodes see this run as dead only after nodeTtl without a stamp.
                    LOG.warn("could not stamp this node's connection slots: {}", failure.toString());
                    return null;
                });
    }

    private byte[] hash(String userId) {
        return RedisUserState.bytes(redis.key("conns:{" + userId + "}"));
    }

    private byte[] field(String connectionId) {
        return RedisUserState.bytes(run + "\n" + connectionId);
    }

    /** Stops stamping and marks this run dead at once, so slots it could not give back stop counting now. */
    @Override
    public void close() {
        stamps.shutdownNow();
        try {
            // Stamped as if it stopped a TTL ago: dead for every node now, and remembered as long as any other.
            double longAgo = clock.millis() - nodeTtl.toMillis() - 1;
            redis.call(c -> c.zadd(runs, longAgo, RedisUserState.bytes(run))).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("could not mark this run dead; it is after {}", nodeTtl, e);
        }
    }

}
