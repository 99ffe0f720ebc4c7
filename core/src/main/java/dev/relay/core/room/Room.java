package dev.relay.core.room;

import dev.relay.core.delivery.Audience;
import dev.relay.core.delivery.EncodedFrame;
import dev.relay.core.delivery.Outbox;
import dev.relay.core.delivery.Slot;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A named audience. Membership is per connection; the room also counts connections per user so it can tell when a
 * user's first connection arrives and last one leaves.
 */
public final class Room {
    private final String id;
    private final String name;
    private final String description;
    private final Instant createdAt;
    private final Audience members = new Audience();
    private final ConcurrentHashMap<String, Integer> connectionsPerUser = new ConcurrentHashMap<>();
    private final AtomicLong messageCount = new AtomicLong();
    private final Object publishOrder = new Object();

    Room(String id, String name, String description, Instant createdAt) {
        this.id = id;
        this.name = name;
        this.description = description;
        this.createdAt = createdAt;
    }

    /**
     * Adds a connection; call on the connection's executor. {@code onFirstOfUser} runs when it is the user's first
     * connection here, atomically with the count, so a join and a concurrent leave of the same user on other loops
     * announce in the order they counted.
     */
    public Slot join(Outbox outbox, String userId, Runnable onFirstOfUser) {
        Slot slot = members.add(outbox);
        connectionsPerUser.compute(userId, (user, count) -> {
            if (count == null) {
                onFirstOfUser.run();
                return 1;
            }
            return count + 1;
        });
        return slot;
    }

    /** Removes a connection; call on its executor. {@code onLastOfUser} runs, atomically, for the user's last one. */
    public void leave(Slot slot, String userId, Runnable onLastOfUser) {
        members.remove(slot);
        connectionsPerUser.computeIfPresent(userId, (user, count) -> {
            if (count == 1) {
                onLastOfUser.run();
                return null;
            }
            return count - 1;
        });
    }

    /**
     * Delivers a room message to every member and counts it. Messages are queued under a per-room lock so every
     * member sees the room's messages in the same order; the lock covers only the enqueueing, never the writes.
     */
    public boolean publish(EncodedFrame frame) {
        synchronized (publishOrder) {
            if (!members.deliver(frame)) {
                return false;
            }
        }
        messageCount.incrementAndGet();
        return true;
    }

    /** Delivers an event (joins, leaves) that does not count as a message. */
    public boolean announce(EncodedFrame frame) {
        synchronized (publishOrder) {
            return members.deliver(frame);
        }
    }

    /** Counts a message that reached the room outside {@link #publish}, such as a relayed binary frame. */
    public void countMessage() {
        messageCount.incrementAndGet();
    }

    public Audience members() {
        return members;
    }

    public boolean hasUser(String userId) {
        return connectionsPerUser.containsKey(userId);
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** Connections in the room. */
    public int clientCount() {
        return members.size();
    }

    /** Distinct users in the room. */
    public int userCount() {
        return connectionsPerUser.size();
    }

    public long messageCount() {
        return messageCount.get();
    }

    public RoomInfo info() {
        return new RoomInfo(id, name, description, clientCount(), userCount(), messageCount(), createdAt);
    }
}
