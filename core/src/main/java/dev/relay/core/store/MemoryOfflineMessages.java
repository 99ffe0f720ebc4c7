package dev.relay.core.store;

import dev.relay.core.protocol.ServerMessage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Offline messages in memory, for a server without persistence: per user at most {@code maxPerUser}, none older than
 * {@code ttl}; the oldest is dropped (and counted) when a new one would exceed the bound. Lost on restart.
 */
public final class MemoryOfflineMessages implements OfflineMessages {
    private final int maxPerUser;
    private final Duration ttl;
    private final Clock clock;
    private final ConcurrentHashMap<String, Held> users = new ConcurrentHashMap<>();

    /** One user's messages; guarded by its own monitor. */
    private static final class Held {
        final ArrayDeque<ServerMessage> messages = new ArrayDeque<>();
        long dropped;
        /** Released and out of the map: a hold that still found it must start again with a fresh entry. */
        boolean retired;
    }

    /** @param maxPerUser messages held per user; 0 holds none (private messages to offline users are refused) */
    public MemoryOfflineMessages(int maxPerUser, Duration ttl, Clock clock) {
        if (maxPerUser < 0 || ttl.isNegative()) {
            throw new IllegalArgumentException("maxPerUser and ttl must not be negative");
        }
        this.maxPerUser = maxPerUser;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public boolean enabled() {
        return maxPerUser > 0;
    }

    @Override
    public CompletableFuture<Void> hold(ServerMessage message) {
        while (true) {
            Held held = users.computeIfAbsent(message.to(), user -> new Held());
            synchronized (held) {
                if (held.retired) {
                    continue;
                }
                expire(held);
                held.messages.addLast(message);
                while (held.messages.size() > maxPerUser) {
                    held.messages.removeFirst();
                    held.dropped++;
                }
                return null;
            }
        }
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
            expire(held);
            return CompletableFuture.completedFuture(new OfflineDelivery(new ArrayList<>(held.messages), held.dropped));
        }
    }

    /** Users with messages held, for stats and tests. */
    public int users() {
        return users.size();
    }

    private void expire(Held held) {
        Instant oldestKept = clock.instant().minus(ttl);
        Iterator<ServerMessage> it = held.messages.iterator();
        while (it.hasNext() && it.next().timestamp().isBefore(oldestKept)) {
            it.remove();
        }
    }
}
