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

    /** What {@link #join} did: the slot to leave with, and whether it was the user's first connection here. */
    public record Joined(Slot slot, boolean firstOfUser) {
    }

    /** Adds a connection; call on the connection's executor. */
    public Joined join(Outbox outbox, String userId) {
        Slot slot = members.add(outbox);
        boolean first = connectionsPerUser.merge(userId, 1, Integer::sum) == 1;
        return new Joined(slot, first);
    }

    /** Removes a connection; call on its executor. True when it was the user's last connection here. */
    public boolean leave(Slot slot, String userId) {
        members.remove(slot);
        return connectionsPerUser.computeIfPresent(userId, (user, count) -> count == 1 ? null : count - 1) == null;
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
