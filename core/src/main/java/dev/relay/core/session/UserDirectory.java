package dev.relay.core.session;

import dev.relay.core.delivery.Audience;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Who is online: each user with at least one live connection, and those connections as an audience (for private
 * messages) and as a set (for operations on all of a user's connections).
 */
public final class UserDirectory {
    private final ConcurrentHashMap<String, Entry> users = new ConcurrentHashMap<>();

    private static final class Entry {
        final Audience audience = new Audience();
        final Set<Session> sessions = ConcurrentHashMap.newKeySet();
        int connections; // changed only inside ConcurrentHashMap.compute for this user
    }

    /** Adds a session; call on its executor. True when it is the user's first live connection. */
    public boolean add(Session session) {
        boolean[] first = new boolean[1];
        Entry entry = users.compute(session.userId(), (user, existing) -> {
            Entry e = existing != null ? existing : new Entry();
            first[0] = e.connections++ == 0;
            e.sessions.add(session); // visible to closeAll and joinUser from the moment it counts
            return e;
        });
        session.userSlot(entry.audience.add(session.outbox()));
        return first[0];
    }

    /** Removes a session; call on its executor. True when it was the user's last live connection. */
    public boolean remove(Session session) {
        Entry entry = users.get(session.userId());
        if (entry == null || !entry.sessions.remove(session)) {
            return false;
        }
        entry.audience.remove(session.userSlot());
        boolean[] last = new boolean[1];
        users.computeIfPresent(session.userId(), (user, e) -> {
            last[0] = --e.connections == 0;
            return last[0] ? null : e;
        });
        return last[0];
    }

    /** The audience of all the user's connections, if the user is online. */
    public Optional<Audience> audience(String userId) {
        Entry entry = users.get(userId);
        return entry == null ? Optional.empty() : Optional.of(entry.audience);
    }

    /** A snapshot of the user's live connections (empty when offline). */
    public List<Session> sessions(String userId) {
        Entry entry = users.get(userId);
        return entry == null ? List.of() : List.copyOf(entry.sessions);
    }

    public boolean isOnline(String userId) {
        return users.containsKey(userId);
    }

    /** Visits every live connection of every user; a snapshot per user, safe against concurrent change. */
    public void forEachSession(Consumer<Session> action) {
        for (Entry entry : users.values()) {
            List.copyOf(entry.sessions).forEach(action);
        }
    }

    /** Distinct users with at least one live connection. */
    public int onlineCount() {
        return users.size();
    }
}
