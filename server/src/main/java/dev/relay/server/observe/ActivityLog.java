package dev.relay.server.observe;

import dev.relay.core.protocol.Timestamps;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What each user did, in memory and in the audit log: a ring of the last {@value #EVENTS_PER_USER} events per user,
 * for at most {@value #MAX_USERS} users (those seen longest ago are forgotten first), plus counters. Recording runs
 * on event loops: it takes only the user's own lock and hands audit lines to a bounded queue.
 */
public final class ActivityLog {
    static final int EVENTS_PER_USER = 50;
    static final int MAX_USERS = 5_000;
    /** How long repeats are folded into one entry before a new one starts, so the audit log stays current. */
    static final Duration FOLD_WINDOW = Duration.ofMinutes(1);

    /** Where finished entries go: the audit log, or nowhere. */
    @FunctionalInterface
    interface Sink {
        void accept(String userId, ActivityEvent event);
    }

    /** A user's activity as the REST API shows it: events oldest first, and counters since first seen. */
    public record Summary(String userId, List<ActivityEvent> events, long messagesSent, long rateLimited,
                          long refused, long authFailures, Instant lastSeen) {
    }

    private final ConcurrentHashMap<String, UserRecord> users = new ConcurrentHashMap<>();
    private final ReentrantLock eviction = new ReentrantLock();
    private final Sink sink;
    private final Clock clock;

    ActivityLog(Sink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** Records an event; for folding types, a repeat within {@link #FOLD_WINDOW} only counts. */
    void record(String userId, String type, String clientId, String roomId, Integer closeCode, String detail) {
        if (userId == null) {
            return;
        }
        UserRecord user = users.computeIfAbsent(userId, UserRecord::new);
        user.append(type, clock.instant(), clientId, roomId, closeCode, detail);
        if (users.size() > MAX_USERS) {
            evictOldest();
        }
    }

    public Optional<Summary> of(String userId) {
        UserRecord user = users.get(userId);
        return user == null ? Optional.empty() : Optional.of(user.summary());
    }

    /** A user's activity as the REST API answers it; a user never seen has no events and zero counts. */
    public Map<String, Object> json(String userId) {
        Optional<Summary> summary = of(userId);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("user_id", userId);
        data.put("last_seen", summary.map(s -> Timestamps.format(s.lastSeen())).orElse(null));
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("messages_sent", summary.map(Summary::messagesSent).orElse(0L));
        counts.put("rate_limited", summary.map(Summary::rateLimited).orElse(0L));
        counts.put("refused", summary.map(Summary::refused).orElse(0L));
        counts.put("auth_failures", summary.map(Summary::authFailures).orElse(0L));
        data.put("counts", counts);
        data.put("events", summary.map(s -> s.events().stream().map(ActivityLog::json).toList()).orElse(List.of()));
        return data;
    }

    private static Map<String, Object> json(ActivityEvent event) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", event.type());
        map.put("at", Timestamps.format(event.at()));
        if (event.count() > 1) {
            map.put("count", event.count());
            map.put("last", Timestamps.format(event.last()));
        }
        if (event.clientId() != null) {
            map.put("client_id", event.clientId());
        }
        if (event.roomId() != null) {
            map.put("room_id", event.roomId());
        }
        if (event.closeCode() != null) {
            map.put("close_code", event.closeCode());
        }
        if (event.detail() != null) {
            map.put("detail", event.detail());
        }
        return map;
    }

    /** Forgets the tenth of users seen longest ago; whoever holds the lock does it, the others go on. */
    private void evictOldest() {
        if (!eviction.tryLock()) {
            return;
        }
        try {
            int excess = users.size() - MAX_USERS;
            if (excess <= 0) {
                return;
            }
            List<UserRecord> oldest = new ArrayList<>(users.values());
            oldest.sort(Comparator.comparingLong(record -> record.lastSeenMillis));
            for (UserRecord record : oldest.subList(0, Math.min(oldest.size(), excess + MAX_USERS / 10))) {
                users.remove(record.userId, record);
                record.flush();
            }
        } finally {
            eviction.unlock();
        }
    }

    /** One user's ring and counters, guarded by its own monitor. */
    private final class UserRecord {
        final String userId;
        final ArrayDeque<Entry> ring = new ArrayDeque<>(EVENTS_PER_USER);
        volatile long lastSeenMillis;
        long messagesSent;
        long rateLimited;
        long refused;
        long authFailures;

        UserRecord(String userId) {
            this.userId = userId;
        }

        synchronized void append(String type, Instant now, String clientId, String roomId, Integer closeCode,
                                 String detail) {
            lastSeenMillis = now.toEpochMilli();
            switch (type) {
                case ActivityEvent.MESSAGE_SENT -> messagesSent++;
                case ActivityEvent.RATE_LIMITED -> rateLimited++;
                case ActivityEvent.REFUSED -> refused++;
                case ActivityEvent.AUTH_FAILURE -> authFailures++;
                default -> {
                }
            }
            Entry tail = ring.peekLast();
            if (tail != null && tail.foldsWith(type, roomId, detail, now)) {
                tail.count++;
                tail.last = now;
                return;
            }
            if (tail != null) {
                tail.finish(); // a folded run ends when something else happens
            }
            if (ring.size() == EVENTS_PER_USER) {
                ring.removeFirst().finish();
            }
            Entry entry = new Entry(type, now, clientId, roomId, closeCode, detail);
            ring.addLast(entry);
            if (!ActivityEvent.folds(type)) {
                entry.finish();
            }
        }

        synchronized Summary summary() {
            List<ActivityEvent> events = ring.stream().map(Entry::event).toList();
            return new Summary(userId, events, messagesSent, rateLimited, refused, authFailures,
                    Instant.ofEpochMilli(lastSeenMillis));
        }

        synchronized void flush() {
            ring.forEach(Entry::finish);
        }

        /** A ring entry; mutable only while a run of repeats is being folded into it. */
        private final class Entry {
            final String type;
            final Instant at;
            final String clientId;
            final String roomId;
            final Integer closeCode;
            final String detail;
            Instant last;
            long count = 1;
            boolean written;

            Entry(String type, Instant at, String clientId, String roomId, Integer closeCode, String detail) {
                this.type = type;
                this.at = at;
                this.last = at;
                this.clientId = clientId;
                this.roomId = roomId;
                this.closeCode = closeCode;
                this.detail = detail;
            }

            boolean foldsWith(String otherType, String otherRoom, String otherDetail, Instant now) {
                return !written && ActivityEvent.folds(type) && type.equals(otherType)
                        && Objects.equals(roomId, otherRoom)
                        && (Objects.equals(detail, otherDetail) || ActivityEvent.foldsWhateverTheDetail(type))
                        && Duration.between(at, now).compareTo(FOLD_WINDOW) < 0;
            }

            /** Writes the entry to the audit log once, when it can no longer change. */
            void finish() {
                if (!written) {
                    written = true;
                    sink.accept(userId, event());
                }
            }

            ActivityEvent event() {
                return new ActivityEvent(type, at, last, count, clientId, roomId, closeCode, detail);
            }
        }
    }
}
