package dev.relay.core.session;

import dev.relay.core.delivery.Slot;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rooms of one session and its slot in each, in the order it joined them. Nearly every connection is in one or
 * two rooms, and a {@link LinkedHashMap} for that costs ~180 bytes per idle connection; so up to {@link #ARRAY_LIMIT}
 * rooms live in one array of id/slot pairs searched in order, and only a session in more rooms pays for a map. Not
 * thread-safe: the session's executor owns it.
 */
final class JoinedRooms {
    /** Past this many rooms a linear search stops being cheaper than hashing. */
    static final int ARRAY_LIMIT = 8;

    /** Room id at even indexes, its slot right after; null until the first join. */
    private Object[] pairs;
    private int size;
    /** Replaces {@link #pairs} once the session is in more than {@link #ARRAY_LIMIT} rooms. */
    private Map<String, Slot> many;

    boolean contains(String roomId) {
        return many != null ? many.containsKey(roomId) : indexOf(roomId) >= 0;
    }

    Slot get(String roomId) {
        if (many != null) {
            return many.get(roomId);
        }
        int i = indexOf(roomId);
        return i < 0 ? null : (Slot) pairs[i + 1];
    }

    /** Adds the room, or replaces its slot keeping its place in the order. */
    void put(String roomId, Slot slot) {
        if (many != null) {
            many.put(roomId, slot);
            return;
        }
        int i = indexOf(roomId);
        if (i >= 0) {
            pairs[i + 1] = slot;
            return;
        }
        if (size == ARRAY_LIMIT) {
            many = new LinkedHashMap<>();
            for (int j = 0; j < size * 2; j += 2) {
                many.put((String) pairs[j], (Slot) pairs[j + 1]);
            }
            many.put(roomId, slot);
            pairs = null;
            size = 0;
            return;
        }
        if (pairs == null) {
            pairs = new Object[2];
        } else if (pairs.length == size * 2) {
            pairs = Arrays.copyOf(pairs, pairs.length * 2);
        }
        pairs[size * 2] = roomId;
        pairs[size * 2 + 1] = slot;
        size++;
    }

    /** Forgets the room and hands back its slot, or null when the session was not in it. */
    Slot remove(String roomId) {
        if (many != null) {
            return many.remove(roomId);
        }
        int i = indexOf(roomId);
        if (i < 0) {
            return null;
        }
        Slot slot = (Slot) pairs[i + 1];
        int end = size * 2;
        System.arraycopy(pairs, i + 2, pairs, i, end - i - 2); // keep the join order
        pairs[end - 2] = null;
        pairs[end - 1] = null;
        size--;
        return slot;
    }

    /** The room ids in join order, as an immutable snapshot. */
    List<String> ids() {
        if (many != null) {
            return List.copyOf(many.keySet());
        }
        String[] ids = new String[size];
        for (int i = 0; i < size; i++) {
            ids[i] = (String) pairs[i * 2];
        }
        return List.of(ids);
    }

    private int indexOf(String roomId) {
        for (int i = 0; i < size * 2; i += 2) {
            if (pairs[i].equals(roomId)) {
                return i;
            }
        }
        return -1;
    }
}
