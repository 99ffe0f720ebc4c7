package dev.relay.core.store;

import dev.relay.core.history.MemoryHistoryStore;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store of a server without persistence: room pages come from the in-memory resume history (the last
 * {@code history_size} messages of a room within {@code history_ttl}), private conversations are kept the same way
 * per pair of users and, all conversations together, within a total count and estimated bytes (the oldest go
 * first), offline messages in memory; search scans what is kept. Nothing survives a restart.
 */
public final class MemoryMessageStore implements MessageStore {
    private final MemoryHistoryStore rooms;
    private final MemoryOfflineMessages offline;
    private final int maxPerConversation;
    private final ConcurrentHashMap<String, TotalBound.Owner> conversations = new ConcurrentHashMap<>();
    private final TotalBound bound;

    /** Conversations bounded in total by the defaults of {@link MemoryOfflineMessages}. */
    public MemoryMessageStore(MemoryHistoryStore rooms, MemoryOfflineMessages offline, int maxPerConversation,
                              Duration ttl, Clock clock) {
        this(rooms, offline, maxPerConversation, MemoryOfflineMessages.DEFAULT_MAX_TOTAL_MESSAGES,
                MemoryOfflineMessages.DEFAULT_MAX_TOTAL_BYTES, ttl, clock);
    }

    /**
     * @param maxPerConversation newest private messages kept per pair of users; 0 keeps none
     * @param maxTotalMessages   private messages kept, all conversations together; the oldest go first
     * @param maxTotalBytes      their estimated bytes ({@link MemoryOfflineMessages#sizeOf}), all together
     * @param ttl                how long a private message is kept
     */
    public MemoryMessageStore(MemoryHistoryStore rooms, MemoryOfflineMessages offline, int maxPerConversation,
                              int maxTotalMessages, long maxTotalBytes, Duration ttl, Clock clock) {
        this.rooms = rooms;
        this.offline = offline;
        this.maxPerConversation = maxPerConversation;
        this.bound = new TotalBound(maxTotalMessages, maxTotalBytes, ttl, clock, new TotalBound.Listener() {
            @Override
            public void dropped(TotalBound.Entry entry) {
            }

            @Override
            public void emptied(TotalBound.Owner conversation) {
                retire(conversation);
            }
        });
    }

    /** Under the conversation's monitor. */
    private void retire(TotalBound.Owner conversation) {
        conversations.remove(conversation.key, conversation);
        conversation.retired = true;
    }

    @Override
    public CompletableFuture<Void> accepted(ServerMessage message) {
        if (MessageType.PRIVATE_MESSAGE.equals(message.type()) && maxPerConversation > 0) {
            while (true) {
                TotalBound.Owner kept = conversations.computeIfAbsent(pair(message.from(), message.to()),
                        TotalBound.Owner::new);
                synchronized (kept) {
                    if (kept.retired) {
                        continue;
                    }
                    bound.add(kept, message);
                    while (kept.entries.size() > maxPerConversation) {
                        bound.forget(kept.entries.pollFirst()); // the conversation's own rotation, not a drop
                    }
                    break;
                }
            }
            bound.trim();
        }
        return null; // room messages are already in the resume history
    }

    /**
     * A room message is updated in the resume history it is read from; a private one in its conversation (its
     * estimated size stays that of the first text: the bound is an estimate anyway).
     */
    @Override
    public void updated(ServerMessage update) {
        if (update.roomId() != null) {
            rooms.update(update);
            return;
        }
        if (update.to() == null || update.from() == null) {
            return;
        }
        TotalBound.Owner kept = conversations.get(pair(update.from(), update.to()));
        if (kept == null) {
            return;
        }
        synchronized (kept) {
            for (TotalBound.Entry entry : kept.entries) {
                ServerMessage old = entry.message;
                if (old != null && update.id().equals(old.id())) {
                    entry.message = new ServerMessage(old.id(), old.type(), old.from(), old.to(), old.roomId(),
                            update.content(), update.data(), old.timestamp(), old.seq(), old.epoch());
                    return;
                }
            }
        }
    }

    @Override
    public boolean enabled() {
        return offline.enabled();
    }

    @Override
    public CompletableFuture<Void> hold(ServerMessage message) {
        accepted(message);
        return offline.hold(message);
    }

    @Override
    public CompletableFuture<OfflineDelivery> release(String userId) {
        return offline.release(userId);
    }

    @Override
    public void sweep() {
        offline.sweep();
        bound.trim();
    }

    @Override
    public OfflineStats stats() {
        return offline.stats();
    }

    @Override
    public Page roomMessages(String roomId, String epoch, Long beforeSeq, int limit) {
        List<ServerMessage> matching = rooms.snapshot(roomId).stream()
                .filter(m -> epoch.equals(m.epoch()) && (beforeSeq == null || m.seq() < beforeSeq))
                .toList();
        return newest(matching, limit);
    }

    @Override
    public Page conversation(String userA, String userB, Instant before, int limit) {
        List<ServerMessage> matching = kept(pair(userA, userB)).stream()
                .filter(m -> before == null || m.timestamp().isBefore(before))
                .toList();
        return newest(matching, limit);
    }

    /** A scan: memory keeps a bounded number of messages, and an edit is rare next to sends. */
    @Override
    public Optional<ServerMessage> message(String id) {
        for (String roomId : rooms.roomIds()) {
            for (ServerMessage message : rooms.snapshot(roomId)) {
                if (id.equals(message.id())) {
                    return Optional.of(message);
                }
            }
        }
        for (String key : conversations.keySet()) {
            for (ServerMessage message : kept(key)) {
                if (id.equals(message.id())) {
                    return Optional.of(message);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public List<SearchHit> search(SearchQuery query) {
        List<ServerMessage> candidates = new ArrayList<>();
        if (query.readsAll()) {
            conversations.keySet().forEach(key -> candidates.addAll(kept(key)));
        } else {
            conversations.forEach((key, messages) -> {
                String[] users = key.split("\n", 2);
                if (users[0].equals(query.reader()) || users[1].equals(query.reader())) {
                    candidates.addAll(kept(key));
                }
            });
        }
        if (query.roomId() != null) {
            candidates.clear();
        }
        for (String roomId : rooms.roomIds()) {
            boolean readable = query.readsAll() || query.rooms().contains(roomId);
            if (readable && (query.roomId() == null || query.roomId().equals(roomId))) {
                candidates.addAll(rooms.snapshot(roomId));
            }
        }
        List<SearchHit> hits = new ArrayList<>();
        for (ServerMessage message : candidates) {
            if ((query.from() == null || query.from().equals(message.from()))
                    && (query.since() == null || !message.timestamp().isBefore(query.since()))
                    && (query.until() == null || message.timestamp().isBefore(query.until()))) {
                String highlight = Highlights.of(message.content(), query.text());
                if (highlight != null) {
                    hits.add(new SearchHit(message, highlight));
                }
            }
        }
        // No relevance score for a substring scan: newest first.
        hits.sort(Comparator.comparing((SearchHit hit) -> hit.message().timestamp()).reversed());
        return hits.size() > query.limit() ? List.copyOf(hits.subList(0, query.limit())) : hits;
    }

    /** The room's messages live in the resume history, which forgets them with the room. */
    @Override
    public void roomClosed(String roomId, String epoch) {
        rooms.forget(roomId);
    }

    @Override
    public Map<String, StreamPosition> lastPositions() {
        return Map.of();
    }

    @Override
    public List<ServerMessage> recent(String roomId, String epoch, int limit) {
        return List.of();
    }

    @Override
    public int deleteOlderThan(Instant cutoff, int batch) {
        return 0; // memory expires by history_ttl on its own
    }

    @Override
    public void close() {
    }

    private List<ServerMessage> kept(String key) {
        TotalBound.Owner kept = conversations.get(key);
        if (kept == null) {
            return List.of();
        }
        synchronized (kept) {
            bound.expire(kept);
            List<ServerMessage> messages = new ArrayList<>(kept.entries.size());
            kept.entries.forEach(entry -> messages.add(entry.message));
            if (kept.entries.isEmpty()) {
                retire(kept);
            }
            return messages;
        }
    }

    /** Private messages kept for conversation pages, all conversations together; for tests. */
    OfflineStats conversationStats() {
        return bound.stats();
    }

    private static Page newest(List<ServerMessage> oldestFirst, int limit) {
        int from = Math.max(0, oldestFirst.size() - limit);
        return new Page(oldestFirst.subList(from, oldestFirst.size()), from > 0);
    }

    /** The same key whoever sent the message. */
    static String pair(String userA, String userB) {
        return userA.compareTo(userB) <= 0 ? userA + "\n" + userB : userB + "\n" + userA;
    }
}
