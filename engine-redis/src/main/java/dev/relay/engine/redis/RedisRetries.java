package dev.relay.engine.redis;

import dev.relay.core.cluster.Published;
import dev.relay.core.cluster.SharedRetries;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import io.lettuce.core.SetArgs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Retried ids of private messages and broadcasts, recognised on every node: one key per retry key. The first
 * attempt claims it with {@code SET NX} and a short expiry ("under way"), then records its outcome for the dedup
 * window; a retry that finds the outcome is answered with it, one that finds the claim still under way is told to
 * retry shortly. A claim whose node died before settling it expires after {@code claimTimeout}, and the message is
 * then handled afresh: a retry may deliver it once more, but an acknowledged message is never lost.
 */
public final class RedisRetries implements SharedRetries {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRetries.class);
    private static final byte[] UNDER_WAY = {'P'};
    /** What a retry that finds the first attempt under way is told to wait before trying again. */
    static final long RETRY_AFTER_MS = 1000;

    private final RedisUserState redis;
    private final Duration window;
    private final Duration claimTimeout;

    /**
     * @param window       how long an outcome is remembered (the dedup window); positive
     * @param claimTimeout how long a claim may stay under way; longer than an attempt can take (its broker calls)
     */
    public RedisRetries(RedisUserState redis, Duration window, Duration claimTimeout) {
        if (window.isNegative() || window.isZero() || claimTimeout.isNegative() || claimTimeout.isZero()) {
            throw new IllegalArgumentException("window and claimTimeout must be positive");
        }
        this.redis = redis;
        this.window = window;
        this.claimTimeout = claimTimeout;
    }

    @Override
    public CompletableFuture<Optional<Published>> claim(String retryKey) {
        return redis.<byte[]>call(c -> c.setGet(key(retryKey), UNDER_WAY,
                        SetArgs.Builder.nx().px(claimTimeout.toMillis())))
                .thenApply(earlier -> {
                    if (earlier == null) {
                        return Optional.empty();
                    }
                    if (earlier.length == 1 && earlier[0] == UNDER_WAY[0]) {
                        throw new ProtocolException(ErrorCode.TEMPORARILY_UNAVAILABLE, "a message with this id is"
                                + " still being sent through another connection; retry it shortly", RETRY_AFTER_MS);
                    }
                    return Optional.of(decode(RedisUserState.text(earlier)));
                });
    }

    @Override
    public void settle(String retryKey, Published outcome) {
        redis.call(c -> c.set(key(retryKey), RedisUserState.bytes(encode(outcome)),
                        SetArgs.Builder.px(window.toMillis())))
                .exceptionally(failure -> {
                    // The claim expires after claimTimeout; a retry after that is handled afresh.
                    LOG.warn("could not record the outcome of a message for retries: {}", failure.toString());
                    return null;
                });
    }

    @Override
    public void abandon(String retryKey) {
        redis.call(c -> c.del(key(retryKey))).exceptionally(failure -> {
            LOG.debug("could not give up a retry claim; it expires by itself", failure);
            return null;
        });
    }

    /**
     * The retry key's lines joined by spaces, which user ids, room ids and types never hold (only the client's id,
     * the last part, may), so keys stay one readable line for operators and distinct.
     */
    private byte[] key(String retryKey) {
        return RedisUserState.bytes(redis.key("retry:" + retryKey.replace('\n', ' ')));
    }

    /** "A id timestamp seq|- 0|1": the ack's fields (ids and timestamps hold no spaces). */
    static String encode(Published outcome) {
        return "A " + outcome.id() + " " + outcome.timestamp() + " "
                + (outcome.seq() == null ? "-" : outcome.seq().toString()) + " " + (outcome.storedOffline() ? 1 : 0);
    }

    static Published decode(String value) {
        String[] parts = value.split(" ");
        if (parts.length != 5 || !parts[0].equals("A")) {
            throw new IllegalStateException("unreadable retry outcome: " + value);
        }
        return new Published(parts[1], Instant.parse(parts[2]), parts[3].equals("-") ? null : Long.valueOf(parts[3]),
                parts[4].equals("1"));
    }
}
