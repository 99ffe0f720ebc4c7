package dev.relay.engine.redis;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The connection behind what a cluster keeps per user in Redis, apart from the broker's fan-out and streams: private
 * messages held for users connected nowhere ({@link RedisOfflineMessages}), retried ids of private messages and
 * broadcasts ({@link RedisRetries}) and each user's connections on every node ({@link RedisConnectionSlots}). One
 * Lettuce connection for the three, non-blocking, with a bound on the commands in flight; while Redis is
 * unreachable commands fail at once with {@code broker_unavailable} instead of queueing.
 */
public final class RedisUserState implements AutoCloseable {
    private final String keyPrefix;
    private final int maxPending;
    private final RedisLink link;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean started;

    /**
     * @param url            as {@link RedisOptions#url()}
     * @param keyPrefix      as {@link RedisOptions#keyPrefix()}, the same on every node of one cluster
     * @param maxPending     commands in flight at most; more fail as {@code overloaded}
     * @param commandTimeout how long a command may take before it fails as {@code broker_unavailable}
     */
    public RedisUserState(String url, String keyPrefix, int maxPending, Duration commandTimeout) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be positive");
        }
        this.keyPrefix = keyPrefix;
        this.maxPending = maxPending;
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
            return CompletableFuture.failedFuture(unavailable(new IllegalStateException("not started")));
        }
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            return CompletableFuture.failedFuture(new ProtocolException(ErrorCode.OVERLOADED,
                    "too many requests are waiting for the cluster's Redis; the message was not sent, retry"));
        }
        CompletionStage<T> stage;
        try {
            stage = command.apply(link.commands());
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

    /** Runs a script by its digest, sending its text only when Redis does not have it (after a restart). */
    <T> CompletableFuture<T> script(Script script, ScriptOutputType type, byte[][] keys, byte[]... args) {
        return call(redis -> redis.<T>evalsha(script.digest, type, keys, args)
                .handle((reply, failure) -> failure == null ? CompletableFuture.completedFuture(reply)
                        : unwrap(failure) instanceof RedisNoScriptException
                                ? redis.<T>eval(script.text, type, keys, args)
                                : CompletableFuture.<T>failedFuture(failure))
                .thenCompose(stage -> stage));
    }

    /** A Lua script and its SHA-1, computed here so the first call need not load it. */
    record Script(byte[] text, String digest) {
        static Script of(String text) {
            try {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                return new Script(bytes, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static Throwable unavailable(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof ProtocolException) {
            return cause;
        }
        String why = cause instanceof RedisCommandTimeoutException ? "timed out" : "cannot be reached";
        return new ProtocolException(ErrorCode.BROKER_UNAVAILABLE,
                "the cluster's Redis " + why + "; the message may not have been sent, retry it with the same id");
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
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
        return pending.get();
    }

    @Override
    public void close() {
        link.close();
    }
}
