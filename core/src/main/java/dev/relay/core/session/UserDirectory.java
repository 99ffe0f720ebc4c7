package dev.relay.core.session;

import dev.relay.core.delivery.Audience;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Who is online: each user with at least one live connection, those connections as an audience (for private
 * messages) and as a set (for operations on all of them), the rooms they are in, and their status.
 */
public final class UserDirectory {
    private final ConcurrentHashMap<String, Entry> users = new ConcurrentHashMap<>();
    private final Transitions transitions;

    /** Told of each user's first and last connection here, inside the user's update, in the order they happen. */
    @FunctionalInterface
    public interface Transitions {
        Transitions NONE = (userId, online) -> {
        };

        /** Must not block: it runs inside the directory's per-user update. */
        void changed(String userId, boolean online);
    }

    public UserDirectory() {
        this(Transitions.NONE);
    }

    /**
     * @param transitions told inside the per-user update, so that a cluster's shared store hears one user's first and
     *                    last connection here in the order they happened even when they come from two event loops
     */
    public UserDirectory(Transitions transitions) {
        this.transitions = transitions;
    }

    private static final class Entry {
        final String name;
        final Audience audience = new Audience();
        final Set<Session> sessions = ConcurrentHashMap.newKeySet();
        final Set<String> rooms = ConcurrentHashMap.newKeySet();
        int connections; // changed only inside ConcurrentHashMap.compute for this user
        // Status changes happen under the entry's monitor; status is volatile so the per-message fast path in
        // activity() can check it without taking the lock.
        volatile UserStatus status = UserStatus.ONLINE;
        boolean chosen;
        volatile Instant lastActivity;
        /** The activity last handed to the cluster ({@link #takeFreshActivity}); only the sweep touches it. */
        Instant shared;

        Entry(String name, Instant now) {
            this.name = name;
            this.lastActivity = now;
        }
    }

    /** Adds a session; call on its executor. True when it is the user's first live connection. */
    public boolean add(Session session, Instant now) {
        boolean[] first = new boolean[1];
        Entry entry = users.compute(session.userId(), (user, existing) -> {
            Entry e = existing != null ? existing : new Entry(session.identity().name(), now);
            first[0] = e.connections++ == 0;
            e.sessions.add(session); // visible to closeAll and joinUser from the moment it counts
            if (first[0]) {
                transitions.changed(user, true);
            }
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
            if (last[0]) {
                transitions.changed(user, false);
            }
            return last[0] ? null : e;
        });
        return last[0];
    }

    /** Records that the user entered a room (their first connection there). */
    public void enteredRoom(String userId, String roomId) {
        Entry entry = users.get(userId);
        if (entry != null) {
            entry.rooms.add(roomId);
        }
    }

    /** Records that the user left a room (their last connection there). */
    public void leftRoom(String userId, String roomId) {
        Entry entry = users.get(userId);
        if (entry != null) {
            entry.rooms.remove(roomId);
        }
    }

    /** The rooms the user is in. */
    public List<String> rooms(String userId) {
        Entry entry = users.get(userId);
        return entry == null ? List.of() : List.copyOf(entry.rooms);
    }

    /**
     * Notes that the user did something. Returns the new status when that brings them back from an automatic
     * {@code away}; a status the user chose stays.
     */
    public Optional<UserStatus> activity(String userId, Instant now) {
        Entry entry = users.get(userId);
        if (entry == null) {
            return Optional.empty();
        }
        entry.lastActivity = now;
        if (entry.status != UserStatus.AWAY) { // the common case takes no lock
            return Optional.empty();
        }
        synchronized (entry) {
            if (entry.status == UserStatus.AWAY && !entry.chosen) {
                entry.status = UserStatus.ONLINE;
                return Optional.of(UserStatus.ONLINE);
            }
            return Optional.empty();
        }
    }

    /** Sets the status the user chose. Returns it when it changed. */
    public Optional<UserStatus> choose(String userId, UserStatus status) {
        Entry entry = users.get(userId);
        if (entry == null) {
            return Optional.empty();
        }
        synchronized (entry) {
            // Choosing "online" hands the status back to automatic idle detection.
            entry.chosen = status != UserStatus.ONLINE;
            if (entry.status == status) {
                return Optional.empty();
            }
            entry.status = status;
            return Optional.of(status);
        }
    }

    /** Marks users idle for {@code timeout} as away (unless they chose a status) and returns them. */
    public List<String> markIdleAway(Instant now, Duration timeout) {
        List<String> changed = new ArrayList<>();
        for (String userId : idle(now, timeout)) {
            if (markAway(userId, now, timeout) == Idle.TURNED_AWAY) {
                changed.add(userId);
            }
        }
        return changed;
    }

    /** Users online here, with no status they chose, who did nothing for {@code timeout}; changes nothing. */
    public List<String> idle(Instant now, Duration timeout) {
        List<String> idle = new ArrayList<>();
        Instant idleSince = now.minus(timeout);
        for (Map.Entry<String, Entry> user : users.entrySet()) {
            Entry entry = user.getValue();
            if (!entry.lastActivity.isAfter(idleSince) && entry.status == UserStatus.ONLINE && !entry.chosen) {
                idle.add(user.getKey());
            }
        }
        return idle;
    }

    /** What {@link #markAway} found. */
    public enum Idle {
        /** Was online, automatically, and idle here: now away. */
        TURNED_AWAY,
        /** Online, automatically, and active here within the timeout: left online. */
        ACTIVE,
        /** Away already, a status they chose, or offline here: nothing to do. */
        UNCHANGED
    }

    /** Turns the user away if they did nothing here for {@code timeout} and chose no status. */
    public Idle markAway(String userId, Instant now, Duration timeout) {
        Entry entry = users.get(userId);
        if (entry == null) {
            return Idle.UNCHANGED;
        }
        synchronized (entry) {
            if (entry.status != UserStatus.ONLINE || entry.chosen) {
                return Idle.UNCHANGED;
            }
            if (entry.lastActivity.isAfter(now.minus(timeout))) {
                return Idle.ACTIVE;
            }
            entry.status = UserStatus.AWAY;
            return Idle.TURNED_AWAY;
        }
    }

    /**
     * The users whose activity changed since the last call, with their latest activity. Call from one thread only
     * (the sweep). Compared by value rather than by time, so an activity stamped just before the previous call but
     * written just after it is still handed over.
     */
    public Map<String, Instant> takeFreshActivity() {
        Map<String, Instant> fresh = new java.util.HashMap<>();
        for (Map.Entry<String, Entry> user : users.entrySet()) {
            Entry entry = user.getValue();
            Instant last = entry.lastActivity;
            if (!last.equals(entry.shared)) {
                entry.shared = last;
                fresh.put(user.getKey(), last);
            }
        }
        return fresh;
    }

    /** The user's status; {@code offline} when they have no live connection. */
    public UserStatus status(String userId) {
        Entry entry = users.get(userId);
        if (entry == null) {
            return UserStatus.OFFLINE;
        }
        synchronized (entry) {
            return entry.status;
        }
    }

    /** The user as the API shows them, or empty when offline. */
    public Optional<UserInfo> info(String userId) {
        Entry entry = users.get(userId);
        if (entry == null) {
            return Optional.empty();
        }
        return Optional.of(new UserInfo(userId, entry.name, status(userId), entry.sessions.size(),
                List.copyOf(entry.rooms)));
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

    /** The ids of the users online here now, a copy (for a cluster's presence heartbeat). */
    public List<String> onlineUserIds() {
        return List.copyOf(users.keySet());
    }

    /** Distinct users with at least one live connection. */
    public int onlineCount() {
        return users.size();
    }
}
