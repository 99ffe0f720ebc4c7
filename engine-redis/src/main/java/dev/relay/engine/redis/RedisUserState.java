package dev.relay.engine.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The connection behind what a cluster keeps per user in Redis, apart from the broker's fan-out and streams: private
 * messages held for users connected nowhere ({@link RedisOfflineMessages}), retried ids of private messages and
 * broadcasts ({@link RedisRetries}), each user's connections on every node ({@link RedisConnectionSlots}) and
 * each user's latest activity on any node ({@link RedisSharedActivity}); and, without a database, the analytics
 * rollups ({@link RedisAnalyticsStore}). One Lettuce connection for them all, non-blocking, with a bound on the commands in flight; while Redis is
 * unreachable commands fail at once with {@code broker_unavailable} instead of queueing.
 */
public final class RedisUserState implements AutoCloseable {
    private final String keyPrefix;
    private final RedisLink link;
    private final RedisCalls calls;
    private volatile boolean started;

    /**
     * @param url            as {@link RedisOptions#url()}
     * @param keyPrefix      as {@link RedisOptions#keyPrefix()}, the same on every node of one cluster
     * @param maxPending     commands in flight at most; more fail as {@code overloaded}
     * @param commandTimeout how long a command may take before it fails as {@code broker_unavailable}
     */
    public RedisUserState(String url, String keyPrefix, int maxPending, Duration commandTimeout) {
        this.keyPrefix = keyPrefix;
        this.calls = new RedisCalls(maxPending, "the cluster's Redis");
        this.link = RedisLink.of(url, maxPending * 2, commandTimeout);
    }

    /** Connects (blocking: at startup, not on an event loop); fails if Redis cannot be reached. */
    public RedisUserState start() {
        link.connect(RedisLink.NOT_LISTENING);
        started = true;
        return this;
    }

    String key(String name) {
        return keyPrefix + name;
    }

    /**
     * Runs a command unless too many are in flight; maps Redis failures to what a client is told. Commands are
     * written against the commands a Redis Cluster has too, and every multi-key one names keys of one hash slot.
     */
    <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletionStage<T>> command) {
        if (!started) {
            return CompletableFuture.failedFuture(calls.unavailable(new IllegalStateException("not started")));
        }
        return calls.bounded(() -> command.apply(link.commands()));
    }

    /** Runs a script by its digest, sending its text only when Redis does not have it (after a restart). */
    <T> CompletableFuture<T> script(Script script, ScriptOutputType type, byte[][] keys, byte[]... args) {
        return call(redis -> RedisCalls.<T>script(redis, script.text, script.digest, type, keys, args));
    }

    /** A Lua script and its SHA-1, computed here so the first call need not load it. */
    record Script(byte[] text, String digest) {
        static Script of(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            return new Script(bytes, RedisCalls.sha1(bytes));
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Whether Redis can be reached now. */
    public boolean isConnected() {
        return started && link.isOpen();
    }

    /** Commands waiting for Redis's answer now. */
    public int pending() {
        return calls.pending();
    }

    @Override
    public void close() {
        link.close();
    }
}
