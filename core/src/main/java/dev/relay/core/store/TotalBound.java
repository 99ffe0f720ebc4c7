package dev.relay.core.store;

import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages kept in memory in many small queues (one per user, one per conversation) under bounds on all of them
 * together: a count, estimated bytes ({@link #sizeOf}) and an age. Past a bound the oldest message kept anywhere
 * goes first. Each queue ({@link Owner}) is guarded by its own monitor; the order of everything kept is a lock-free
 * queue, trimmed by one thread at a time (a thread that finds another trimming leaves it to that one, which looks
 * again before it stops), so keeping a message never waits for another queue.
 */
final class TotalBound {
    /** Counted per message on top of its text: the message object, its strings' headers, the entry keeping it. */
    static final int OVERHEAD_BYTES = 256;

    private final int maxMessages;
    private final long maxBytes;
    private final Duration ttl;
    private final Clock clock;
    private final Listener listener;
    /** Every entry in the order it was kept; entries already gone stay until the trim reaches them. */
    private final ConcurrentLinkedQueue<Entry> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger orderLength = new AtomicInteger();
    private final AtomicBoolean trimming = new AtomicBoolean();
    private final AtomicInteger messages = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();

    /** One queue of messages; guarded by its own monitor. */
    static class Owner {
        final String key;
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        /** Out of its map: whoever still found it must start again with a fresh one. */
        boolean retired;

        Owner(String key) {
            this.key = key;
        }
    }

    /** One message kept; {@code message} is cleared once it is gone, so what waits in the order costs little. */
    static final class Entry {
        final Owner owner;
        final long bytes;
        final Instant keptAt;
        ServerMessage message;
        volatile boolean gone;

        private Entry(Owner owner, ServerMessage message, long bytes, Instant keptAt) {
            this.owner = owner;
            this.message = message;
            this.bytes = bytes;
            this.keptAt = keptAt;
        }
    }

    /** Told, under the owner's monitor, when the trim takes a message from a queue. */
    interface Listener {
        /** The entry was dropped over the total bounds (not for its age). */
        void dropped(Entry entry);

        /** The trim left the queue empty: take it out of its map and retire it. */
        void emptied(Owner owner);
    }

    TotalBound(int maxMessages, long maxBytes, Duration ttl, Clock clock, Listener listener) {
        if (maxMessages < 1 || maxBytes < 1 || ttl.isNegative()) {
            throw new IllegalArgumentException("the total bounds must be positive and ttl not negative");
        }
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.ttl = ttl;
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * What a message counts against the byte bound: its text as Java may keep it (two bytes a character at most)
     * plus {@value #OVERHEAD_BYTES} for the objects around it. An estimate, but one that grows with everything a
     * sender controls.
     */
    static long sizeOf(ServerMessage message) {
        long chars = length(message.id()) + length(message.type()) + length(message.from()) + length(message.to())
                + length(message.roomId()) + length(message.content()) + length(message.epoch());
        Object data = message.data();
        if (data instanceof RawJson raw) {
            chars += raw.json().length();
        } else if (data != null) {
            chars += String.valueOf(data).length();
        }
        return OVERHEAD_BYTES + 2 * chars;
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    Instant oldestKept() {
        return clock.instant().minus(ttl);
    }

    /** Appends to the owner's queue and counts it; under the owner's monitor. Call {@link #trim} after letting go. */
    void add(Owner owner, ServerMessage message) {
        long size = sizeOf(message);
        Entry entry = new Entry(owner, message, size, clock.instant());
        owner.entries.addLast(entry);
        messages.incrementAndGet();
        bytes.addAndGet(size);
        order.add(entry);
        orderLength.incrementAndGet();
    }

    /** Takes the owner's oldest message away as dropped over a bound; under the owner's monitor. */
    void dropOldest(Owner owner) {
        Entry oldest = owner.entries.pollFirst();
        if (oldest != null) {
            dropped.incrementAndGet();
            forget(oldest);
        }
    }

    /** Takes the owner's messages older than the age bound away; under the owner's monitor. */
    void expire(Owner owner) {
        Instant oldestKept = oldestKept();
        while (!owner.entries.isEmpty() && owner.entries.peekFirst().keptAt.isBefore(oldestKept)) {
            forget(owner.entries.pollFirst());
            expired.incrementAndGet();
        }
    }

    /** Uncounts an entry that left its owner's queue (released, expired, dropped); under the owner's monitor. */
    void forget(Entry entry) {
        entry.gone = true;
        entry.message = null;
        messages.decrementAndGet();
        bytes.addAndGet(-entry.bytes);
    }

    OfflineStats stats() {
        return new OfflineStats(messages.get(), bytes.get(), dropped.get(), expired.get());
    }

    /** Entries in the order, gone ones included; for tests. */
    int orderLength() {
        return orderLength.get();
    }

    private boolean over() {
        return messages.get() > maxMessages || bytes.get() > maxBytes;
    }

    /**
     * Drops the oldest entries while over a total bound, and expired ones, from the head of the order. Never called
     * under an owner's monitor.
     */
    void trim() {
        do {
            if (!trimming.compareAndSet(false, true)) {
                return;
            }
            try {
                trimHead(oldestKept());
                // Entries gone from their queues wait in the order until the head reaches them; while a long-lived
                // head holds them back, clear them out so they never outnumber the bound.
                if (orderLength.get() > 2 * maxMessages) {
                    order.removeIf(entry -> {
                        if (entry.gone) {
                            orderLength.decrementAndGet();
                            return true;
                        }
                        return false;
                    });
                }
            } finally {
                trimming.set(false);
            }
        } while (over());
    }

    /** Only the trimming thread polls the order; keepers only add at its tail. */
    private void trimHead(Instant oldestKept) {
        while (true) {
            Entry head = order.peek();
            if (head == null) {
                return;
            }
            Owner owner = head.owner;
            synchronized (owner) {
                if (!head.gone) {
                    boolean overBound = over();
                    if (!overBound && !head.keptAt.isBefore(oldestKept)) {
                        return;
                    }
                    owner.entries.removeFirstOccurrence(head);
                    if (overBound) {
                        dropped.incrementAndGet();
                        listener.dropped(head);
                    } else {
                        expired.incrementAndGet();
                    }
                    forget(head);
                    if (owner.entries.isEmpty()) {
                        listener.emptied(owner);
                    }
                }
            }
            order.poll();
            orderLength.decrementAndGet();
        }
    }
}
