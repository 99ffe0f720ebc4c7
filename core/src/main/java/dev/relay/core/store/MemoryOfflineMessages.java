package dev.relay.core.store;

import dev.relay.core.protocol.ServerMessage;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Offline messages in memory, for a server without persistence. Bounded so that users who never connect cannot grow
 * the heap: per user at most {@code maxPerUser}; across all users at most {@code maxTotal} messages and
 * {@code maxTotalBytes} (an estimate of the heap a message takes, {@link #sizeOf}); none older than {@code ttl}. Past
 * a bound the oldest message held (of the user, or of everyone) is dropped and counted: in the user's
 * {@code offline_messages.dropped} (unless none of theirs is left) and in {@link #stats()}. Expired messages are
 * swept as new ones are held and by {@link #sweep()}, which the server calls periodically. Lost on restart.
 */
public final class MemoryOfflineMessages implements OfflineMessages {
    /** The default of {@code offline_max_total_messages}. */
    public static final int DEFAULT_MAX_TOTAL_MESSAGES = 100_000;
    /** The default of {@code offline_max_total_bytes}: 64 MiB. */
    public static final long DEFAULT_MAX_TOTAL_BYTES = 64L * 1024 * 1024;

    private final int maxPerUser;
    private final ConcurrentHashMap<String, Held> users = new ConcurrentHashMap<>();
    private final TotalBound bound;

    /** One user's messages, and how many of them were dropped. */
    private static final class Held extends TotalBound.Owner {
        long dropped;

        Held(String userId) {
            super(userId);
        }
    }

    /**
     * Per user {@code maxPerUser}, across users the defaults {@value #DEFAULT_MAX_TOTAL_MESSAGES} messages and
     * {@value #DEFAULT_MAX_TOTAL_BYTES} bytes.
     */
    public MemoryOfflineMessages(int maxPerUser, Duration ttl, Clock clock) {
        this(maxPerUser, DEFAULT_MAX_TOTAL_MESSAGES, DEFAULT_MAX_TOTAL_BYTES, ttl, clock);
    }

    /**
     * @param maxPerUser    messages held per user; 0 holds none (private messages to offline users are refused)
     * @param maxTotal      messages held across all users; at least 1
     * @param maxTotalBytes estimated bytes ({@link #sizeOf}) held across all users; at least 1
     * @param ttl           how long a message is held at most
     */
    public MemoryOfflineMessages(int maxPerUser, int maxTotal, long maxTotalBytes, Duration ttl, Clock clock) {
        if (maxPerUser < 0) {
            throw new IllegalArgumentException("maxPerUser must not be negative");
        }
        this.maxPerUser = maxPerUser;
        this.bound = new TotalBound(maxTotal, maxTotalBytes, ttl, clock, new TotalBound.Listener() {
            @Override
            public void dropped(TotalBound.Entry entry) {
                ((Held) entry.owner).dropped++;
            }

            @Override
            public void emptied(TotalBound.Owner owner) {
                // Nothing left for a user who may never connect: no entry stays behind for them either, so they are
                // not told of these drops; that is the price of bounding the number of users too.
                users.remove(owner.key, owner);
                owner.retired = true;
            }
        });
    }

    /** What a message counts against {@code maxTotalBytes}; see {@link TotalBound#sizeOf}. */
    public static long sizeOf(ServerMessage message) {
        return TotalBound.sizeOf(message);
    }

    @Override
    public boolean enabled() {
        return maxPerUser > 0;
    }

    @Override
    public CompletableFuture<Void> hold(ServerMessage message) {
        while (true) {
            Held held = users.computeIfAbsent(message.to(), Held::new);
            synchronized (held) {
                if (held.retired) {
                    continue;
                }
                bound.expire(held);
                bound.add(held, message);
                while (held.entries.size() > maxPerUser) {
                    bound.dropOldest(held);
                    held.dropped++;
                }
                break;
            }
        }
        bound.trim();
        return null;
    }

    @Override
    public CompletableFuture<OfflineDelivery> release(String userId) {
        Held held = users.get(userId);
        if (held == null) {
            return CompletableFuture.completedFuture(OfflineDelivery.NONE);
        }
        synchronized (held) {
            users.remove(userId, held);
            held.retired = true;
            bound.expire(held);
            List<ServerMessage> messages = new ArrayList<>(held.entries.size());
            for (TotalBound.Entry entry : held.entries) {
                messages.add(entry.message);
                bound.forget(entry);
            }
            held.entries.clear();
            return CompletableFuture.completedFuture(new OfflineDelivery(messages, held.dropped));
        }
    }

    /** Drops what expired and whatever is over the total bounds; the server calls it periodically. */
    @Override
    public void sweep() {
        bound.trim();
    }

    @Override
    public OfflineStats stats() {
        return bound.stats();
    }

    /** Users with messages held, for stats and tests. */
    public int users() {
        return users.size();
    }

    /** Entries in the order, gone ones included; for tests. */
    int orderLength() {
        return bound.orderLength();
    }
}
