package dev.relay.engine.redis;

import dev.relay.core.cluster.SharedActivity;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Users active on any node, for cluster-wide automatic {@code away}: one key per user ({@code activity:{user}})
 * that exists exactly as long as the user's latest activity anywhere keeps them from being idle. Recording sets its
 * expiry to what is left of the timeout, never shortening one another node set later; asking is an {@code MGET} of
 * the candidates' keys. Expiries are Redis's own, so the nodes' clocks never meet. Each key names one user and
 * carries the hash tag {@code {user}}: single-key scripts, and on a Redis Cluster Lettuce splits the {@code MGET}
 * by slot.
 *
 * <p>A sweep's users go in chunks of {@value #CHUNK}, one chunk in flight at a time, so a sweep of many users never
 * takes the command slots the other user state shares ({@link RedisUserState}) all at once.
 */
public final class RedisSharedActivity implements SharedActivity {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSharedActivity.class);
    static final int CHUNK = 200;
    /** KEYS: the user's key. ARGV: for how many ms the activity counts. Extends the key's life, never shortens it. */
    private static final RedisUserState.Script RECORD = RedisUserState.Script.of("""
            if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
              redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
            end
            return 0
            """);

    private final RedisUserState redis;

    public RedisSharedActivity(RedisUserState redis) {
        this.redis = redis;
    }

    @Override
    public void record(Map<String, Duration> activeFor) {
        List<Map.Entry<String, Duration>> all = List.copyOf(activeFor.entrySet());
        recordFrom(all, 0).exceptionally(failure -> {
            // The users' next activity is recorded again; until then another node may find them idle a little early.
            LOG.warn("could not share the activity of {} users: {}", all.size(), failure.toString());
            return null;
        });
    }

    private CompletableFuture<Void> recordFrom(List<Map.Entry<String, Duration>> all, int from) {
        if (from >= all.size()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Object>> chunk = new ArrayList<>();
        for (Map.Entry<String, Duration> user : all.subList(from, Math.min(all.size(), from + CHUNK))) {
            long millis = Math.max(1, user.getValue().toMillis());
            chunk.add(redis.script(RECORD, ScriptOutputType.INTEGER, new byte[][] {key(user.getKey())},
                    RedisUserState.bytes(Long.toString(millis))));
        }
        return CompletableFuture.allOf(chunk.toArray(CompletableFuture[]::new))
                .thenCompose(done -> recordFrom(all, from + CHUNK));
    }

    @Override
    public CompletableFuture<Set<String>> active(Collection<String> userIds) {
        List<String> all = List.copyOf(userIds);
        return activeFrom(all, 0, new HashSet<>());
    }

    private CompletableFuture<Set<String>> activeFrom(List<String> all, int from, Set<String> active) {
        if (from >= all.size()) {
            return CompletableFuture.completedFuture(active);
        }
        List<String> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
        byte[][] keys = chunk.stream().map(this::key).toArray(byte[][]::new);
        return redis.<List<KeyValue<byte[], byte[]>>>call(c -> c.mget(keys)).thenCompose(values -> {
            // MGET answers in the order asked, across slots too.
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i).hasValue()) {
                    active.add(chunk.get(i));
                }
            }
            return activeFrom(all, from + CHUNK, active);
        });
    }

    /**
     * One short-lived key per user and change ({@code claimed:{user}:away}): {@code SET NX PX} lets the first node
     * through and no other until it expires. Same hash tag as the activity key.
     */
    @Override
    public CompletableFuture<Boolean> claim(String userId, String status, Duration within) {
        byte[] key = RedisUserState.bytes(redis.key("claimed:{" + userId + "}:" + status));
        SetArgs once = SetArgs.Builder.nx().px(Math.max(1, within.toMillis()));
        return redis.<String>call(c -> c.set(key, RedisUserState.bytes("1"), once)).thenApply("OK"::equals);
    }

    private byte[] key(String userId) {
        return RedisUserState.bytes(redis.key("activity:{" + userId + "}"));
    }
}
