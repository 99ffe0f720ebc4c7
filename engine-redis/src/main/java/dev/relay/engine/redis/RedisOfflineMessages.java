package dev.relay.engine.redis;

import dev.relay.core.codec.MessageCodec;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.store.OfflineDelivery;
import dev.relay.core.store.OfflineMessages;
import io.lettuce.core.ScriptOutputType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Private messages held in Redis for users connected to no node, so the user gets them on whichever node they
 * connect to, and a node that dies loses none of them. Like {@code MemoryOfflineMessages}: per user at most
 * {@code maxPerUser}, the oldest dropped and counted past it, none older than {@code ttl}.
 *
 * <p>Per user, a list of encoded messages in the order they were held and a counter of the dropped ones, under the
 * hash tag {@code {userId}} (one shard on Redis Cluster). Holding appends, trims and refreshes the expiry in one
 * script; releasing reads and deletes both keys in one script, so two nodes releasing at once never both get a
 * message, and a hold that lands after a release stays for the next.
 */
public final class RedisOfflineMessages implements OfflineMessages {
    /** KEYS: list, dropped. ARGV: message, max, ttl ms. */
    private static final RedisUserState.Script HOLD = RedisUserState.Script.of("""
            local held = redis.call('RPUSH', KEYS[1], ARGV[1])
            local over = held - tonumber(ARGV[2])
            if over > 0 then
              redis.call('LTRIM', KEYS[1], over, -1)
              redis.call('INCRBY', KEYS[2], over)
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            return held
            """);
    /** KEYS: list, dropped. Returns the dropped count, then the messages oldest first. */
    private static final RedisUserState.Script RELEASE = RedisUserState.Script.of("""
            local held = redis.call('LRANGE', KEYS[1], 0, -1)
            local dropped = redis.call('GET', KEYS[2]) or '0'
            redis.call('DEL', KEYS[1], KEYS[2])
            table.insert(held, 1, dropped)
            return held
            """);

    private final RedisUserState redis;
    private final MessageCodec codec;
    private final int maxPerUser;
    private final Duration ttl;
    private final Clock clock;

    /**
     * @param maxPerUser messages held per user; 0 holds none (private messages to users connected nowhere are refused)
     * @param ttl        how long a message is held at most; positive
     */
    public RedisOfflineMessages(RedisUserState redis, MessageCodec codec, int maxPerUser, Duration ttl, Clock clock) {
        if (maxPerUser < 0 || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("maxPerUser must not be negative and ttl must be positive");
        }
        this.redis = redis;
        this.codec = codec;
        this.maxPerUser = maxPerUser;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public boolean enabled() {
        return maxPerUser > 0;
    }

    /** Completes once Redis keeps the message, so an ack that says {@code stored_offline} is never premature. */
    @Override
    public CompletableFuture<Void> hold(ServerMessage message) {
        return redis.<Long>script(HOLD, ScriptOutputType.INTEGER, keys(message.to()), codec.encode(message),
                        RedisUserState.bytes(Integer.toString(maxPerUser)),
                        RedisUserState.bytes(Long.toString(ttl.toMillis())))
                .thenApply(held -> null);
    }

    @Override
    public CompletableFuture<OfflineDelivery> release(String userId) {
        return redis.<List<Object>>script(RELEASE, ScriptOutputType.MULTI, keys(userId))
                .thenApply(reply -> {
                    long dropped = Long.parseLong(RedisUserState.text((byte[]) reply.getFirst()));
                    Instant oldestKept = clock.instant().minus(ttl);
                    List<ServerMessage> messages = new ArrayList<>(reply.size() - 1);
                    for (Object encoded : reply.subList(1, reply.size())) {
                        ServerMessage message = codec.decode((byte[]) encoded);
                        if (!message.timestamp().isBefore(oldestKept)) {
                            messages.add(message);
                        }
                    }
                    return messages.isEmpty() && dropped == 0 ? OfflineDelivery.NONE
                            : new OfflineDelivery(messages, dropped);
                });
    }

    private byte[][] keys(String userId) {
        String base = redis.key("offline:{" + userId + "}");
        return new byte[][] {RedisUserState.bytes(base), RedisUserState.bytes(base + ":dropped")};
    }
}
