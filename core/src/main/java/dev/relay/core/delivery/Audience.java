package dev.relay.core.delivery;

import dev.relay.core.codec.EncodedFrame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A set of connections a frame can be delivered to (a room's members, a user's connections, everyone), sharded by
 * the executor that owns each connection. Adding and removing happen on the member's own executor; delivering can
 * happen from any thread and costs one task per executor, not one per member.
 */
public final class Audience {
    private static final Shard[] NO_SHARDS = new Shard[0];

    // Grows only when a connection on a new executor first joins: at most one shard per event loop.
    private volatile Shard[] shards = NO_SHARDS;
    private final AtomicInteger size = new AtomicInteger();

    /** Adds a connection; call on the connection's executor. Keep the slot to remove it later. */
    public Slot add(Outbox outbox) {
        Slot slot = shardFor(outbox.lane).add(outbox);
        size.incrementAndGet();
        return slot;
    }

    /** Removes what {@link #add} added; call on the connection's executor. */
    public void remove(Slot slot) {
        if (slot.index < 0) {
            return;
        }
        slot.shard.remove(slot);
        size.decrementAndGet();
    }

    /** Connections in this audience, across all executors. */
    public int size() {
        return size.get();
    }

    /**
     * Queues the frame for every member; callable from any thread. Returns false (and delivers to no one) when a
     * lane is over its queue limit, so the caller can refuse the message instead of growing the heap.
     */
    public boolean deliver(EncodedFrame frame) {
        if (!hasRoom()) {
            return false;
        }
        deliverAt(frame, 0);
        return true;
    }

    /** Whether every lane this audience spans can take another delivery. */
    public boolean hasRoom() {
        for (Shard shard : shards) {
            if (!shard.lane.hasRoom()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Queues a room-stream frame at position {@code seq} for every member that does not have it yet, without
     * checking the queue limit (the caller checked {@link #hasRoom()} under the same lock that orders the stream).
     */
    public void deliverAt(EncodedFrame frame, long seq) {
        for (Shard shard : shards) {
            shard.lane.submit(new Delivery.ToShard(frame, shard, seq, shard.lane.stamp()));
        }
    }

    private Shard shardFor(DeliveryLane lane) {
        for (Shard shard : shards) {
            if (shard.lane == lane) {
                return shard;
            }
        }
        synchronized (this) {
            Shard[] current = shards;
            for (Shard shard : current) {
                if (shard.lane == lane) {
                    return shard;
                }
            }
            Shard[] grown = Arrays.copyOf(current, current.length + 1);
            Shard shard = new Shard(lane);
            grown[current.length] = shard;
            shards = grown;
            return shard;
        }
    }

    /**
     * Queues the frame for the members of several audiences, each connection once even when it is in more than one,
     * leaving out {@code except} (may be null). One task per executor. Returns false, delivering to no one, when a
     * lane is over its queue limit.
     */
    public static boolean deliverToUnion(EncodedFrame frame, List<Audience> audiences, Outbox except) {
        Map<DeliveryLane, List<Shard>> byLane = new IdentityHashMap<>();
        for (Audience audience : audiences) {
            for (Shard shard : audience.shards) {
                byLane.computeIfAbsent(shard.lane, lane -> new ArrayList<>(audiences.size())).add(shard);
            }
        }
        for (DeliveryLane lane : byLane.keySet()) {
            if (!lane.hasRoom()) {
                return false;
            }
        }
        byLane.forEach((lane, shards) ->
                lane.submit(new Delivery.ToUnion(frame, shards.toArray(Shard[]::new), except, lane.stamp())));
        return true;
    }
}
