package dev.relay.core.delivery;

import java.util.Arrays;

/**
 * The members of one audience that live on one executor. Mutated and iterated only on that executor, so a plain
 * array with swap-remove is enough: no locks, no copies on write.
 */
final class Shard {
    private static final Slot[] EMPTY = new Slot[0];

    final DeliveryLane lane;
    Slot[] slots = EMPTY;
    int count;

    Shard(DeliveryLane lane) {
        this.lane = lane;
    }

    Slot add(Outbox outbox) {
        if (count == slots.length) {
            slots = Arrays.copyOf(slots, Math.max(4, count * 2));
        }
        Slot slot = new Slot(outbox, this, count);
        slots[count++] = slot;
        return slot;
    }

    void remove(Slot slot) {
        int last = --count;
        Slot moved = slots[last];
        slots[slot.index] = moved;
        moved.index = slot.index;
        slots[last] = null;
        slot.index = -1;
        if (count == 0 && slots.length > 64) {
            slots = EMPTY; // give back the memory of a crowd that has left
        }
    }
}
