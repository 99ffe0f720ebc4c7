package dev.relay.core.store;

import java.time.Instant;
import java.util.Set;

/**
 * A full-text search: {@code text} to find, optionally only in one room, from one user, or in a time range, at most
 * {@code limit} results, and only what the reader may read: every message for an admin ({@code rooms} null), else
 * the messages of {@code rooms} and the private messages {@code reader} sent or received.
 */
public record SearchQuery(String text, String roomId, String from, Instant since, Instant until, int limit,
                          String reader, Set<String> rooms) {
    public SearchQuery {
        rooms = rooms == null ? null : Set.copyOf(rooms);
    }

    /** True when the reader may read everything. */
    public boolean readsAll() {
        return rooms == null;
    }
}
