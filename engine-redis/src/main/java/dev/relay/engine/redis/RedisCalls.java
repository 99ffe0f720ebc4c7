package dev.relay.engine.redis;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Commands to Redis from one user of the engine, at most {@code max} in flight: past it a call fails at once as
 * {@code overloaded} instead of queueing without bound, and a Redis failure becomes the {@code broker_unavailable}
 * a client knows to retry. Also how every script here runs: by its digest, sending its text only when Redis lost it.
 */
final class RedisCalls {
    private final int max;
    private final String subject;
    private final AtomicInteger pending = new AtomicInteger();

    /** {@code subject} names what failed in the client's error, e.g. "the cluster's broker". */
    RedisCalls(int max, String subject) {
        if (max < 1) {
            throw new IllegalArgumentException("at least one command must be allowed in flight, got " + max);
        }
        this.max = max;
        this.subject = subject;
    }

    <T> CompletableFuture<T> bounded(Supplier<? extends CompletionStage<T>> command) {
        if (pending.incrementAndGet() > max) {
            pending.decrementAndGet();
            return CompletableFuture.failedFuture(new ProtocolException(ErrorCode.OVERLOADED,
                    "too many messages are waiting for " + subject + "; the message was not sent, retry"));
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

    /** Commands waiting for Redis's answer now. */
    int pending() {
        return pending.get();
    }

    Throwable unavailable(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof ProtocolException) {
            return cause;
        }
        String why = cause instanceof RedisCommandTimeoutException ? "timed out" : "cannot be reached";
        return new ProtocolException(ErrorCode.BROKER_UNAVAILABLE,
                subject + " " + why + "; the message may not have been sent, retry it with the same id");
    }

    /** EVALSHA, or EVAL when Redis does not have the script (never loaded there, or lost in a restart). */
    static <T> CompletableFuture<T> script(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[] text,
                                           String digest, ScriptOutputType type, byte[][] keys, byte[][] args) {
        return redis.<T>evalsha(digest, type, keys, args)
                .handle((reply, failure) -> failure == null ? CompletableFuture.completedFuture(reply)
                        : unwrap(failure) instanceof RedisNoScriptException
                                ? redis.<T>eval(text, type, keys, args)
                                : CompletableFuture.<T>failedFuture(failure))
                .thenCompose(stage -> stage)
                .toCompletableFuture();
    }

    static String sha1(byte[] script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
