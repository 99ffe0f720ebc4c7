package dev.relay.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Connections that all receive what any of its publishers sends: a Relay room, a private pair, or every client of
 * a broadcast server. Publishers are numbered from 0 within the group.
 */
final class Group {
    final String roomId;
    final int publishers;
    /** Messages each publisher has sent; written by the publisher's event loop, read at the end. */
    final AtomicLongArray sent;
    final List<ClientConnection> members = new ArrayList<>();

    Group(String roomId, int publishers) {
        this.roomId = roomId;
        this.publishers = publishers;
        this.sent = new AtomicLongArray(publishers);
    }

    long[] sentSnapshot() {
        long[] snapshot = new long[publishers];
        for (int p = 0; p < publishers; p++) {
            snapshot[p] = sent.get(p);
        }
        return snapshot;
    }
}
