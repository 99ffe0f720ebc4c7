package dev.relay.core.room;

import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.delivery.Audience;
import dev.relay.core.delivery.Outbox;
import dev.relay.core.delivery.Slot;
import dev.relay.core.history.StreamPosition;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ServerMessage;

import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A named audience with an ordered message stream. Membership is per connection; the room also keeps one entry per
 * user so it can tell when a user's first connection arrives and last one leaves.
 *
 * <p>One lock per room orders its stream: taking the next {@code seq}, recording the message in history and queueing
 * it for the members happen together, and so do joins, leaves and resumes, so a member's live delivery starts
 * exactly after the position it joined or resumed at. The lock never covers writes to sockets.
 */
public final class Room {
    private final String id;
    private final String name;
    private final String description;
    private final Instant createdAt;
    private final RoomContext context;
    /** Changes only in a cluster, when the shared stream turns out to run under another epoch. */
    private volatile String epoch; // written under streamLock
    private final Audience members = new Audience();
    private final ConcurrentHashMap<String, RoomMember> users = new ConcurrentHashMap<>();
    private final AtomicLong messageCount = new AtomicLong();
    /** Updated messages a room remembers for resumes; a resume from before the oldest forgotten one reloads. */
    public static final int MAX_RECENT_UPDATES = 256;
    private final Object streamLock = new Object();
    private long seq; // guarded by streamLock
    /**
     * The newest update of each recently updated message, by message id, oldest first, each with the seq the stream
     * had when it happened: a resume from before it sends it to a member that already had the message. One entry per
     * message (a streaming answer replaces its own), at most {@link #MAX_RECENT_UPDATES}; guarded by streamLock.
     */
    private final LinkedHashMap<String, PlacedUpdate> recentUpdates = new LinkedHashMap<>();
    /** The stream position of the newest update dropped from {@link #recentUpdates}; -1 when none was. */
    private long updatesForgottenAt = -1;

    Room(String id, String name, String description, Instant createdAt, RoomContext context, StreamPosition start) {
        this.id = id;
        this.name = name;
        this.description = description;
        this.createdAt = createdAt;
        this.context = context;
        this.epoch = start.epoch();
        this.seq = start.seq();
    }

    /**
     * Adds a connection; call on the connection's executor. It gets the room's messages from now on.
     * {@code onFirstOfUser} runs when it is the user's first connection here, inside the room's lock, so a join and
     * a concurrent leave of the same user on other loops announce in the order they happened.
     */
    public Slot join(Outbox outbox, Identity who, Runnable onFirstOfUser) {
        synchronized (streamLock) {
            Slot slot = members.add(outbox);
            slot.joinedAt(seq);
            RoomMember before = users.get(who.userId());
            RoomMember after = before == null
                    ? new RoomMember(who.userId(), who.name(), 1, context.clock().instant())
                    : new RoomMember(who.userId(), before.name(), before.connections() + 1, before.joinedAt());
            users.put(who.userId(), after);
            if (before == null) {
                onFirstOfUser.run();
            }
            context.watch().changed(this, after.userId(), after.name(), after.connections(), true, after.joinedAt());
            return slot;
        }
    }

    /** Removes a connection; call on its executor. {@code onLastOfUser} runs, inside the lock, for the last one. */
    public void leave(Slot slot, String userId, Runnable onLastOfUser) {
        synchronized (streamLock) {
            members.remove(slot);
            RoomMember before = users.get(userId);
            if (before == null) {
                return;
            }
            int left = before.connections() - 1;
            if (left <= 0) {
                users.remove(userId);
                onLastOfUser.run();
            } else {
                users.put(userId, new RoomMember(userId, before.name(), left, before.joinedAt()));
            }
            context.watch().changed(this, userId, before.name(), Math.max(0, left), false, before.joinedAt());
        }
    }

    /**
     * Takes a connection back to where it was: joins it if it is not a member ({@code existing} is null), and
     * looks up the messages after {@code since} that it will not get live. Call on the connection's executor and
     * write the returned messages before returning to it: live messages after them are queued on that executor.
     *
     * @param maxMessages the most messages a replay may hold; a longer gap is reported as not recoverable
     */
    public Resumption resume(Outbox outbox, Slot existing, Identity who, String clientEpoch, long since,
                             int maxMessages, Runnable onFirstOfUser) {
        synchronized (streamLock) {
            boolean joins = existing == null;
            Slot slot = joins ? join(outbox, who, onFirstOfUser) : existing;
            long upTo = slot.joinSeq();
            Optional<List<ServerMessage>> missed;
            // An update this room no longer remembers may have happened after the member left: not recoverable.
            if (!epoch.equals(clientEpoch) || since < 0 || since > seq || upTo - since > maxMessages
                    || since < updatesForgottenAt) {
                missed = Optional.empty();
            } else {
                missed = context.history().range(id, epoch, since, upTo);
            }
            return new Resumption(slot, joins, missed, missed.map(replay -> updatesSince(since, replay))
                    .orElse(List.of()));
        }
    }

    /** The newest update of each message the member had (not in {@code replay}) made at or after {@code since}. */
    private List<ServerMessage> updatesSince(long since, List<ServerMessage> replay) {
        Set<String> replayed = new HashSet<>();
        for (ServerMessage message : replay) {
            replayed.add(message.id());
        }
        return recentUpdates.values().stream()
                .filter(placed -> placed.atSeq() >= since && !replayed.contains(placed.update().id()))
                .map(PlacedUpdate::update).toList();
    }

    /**
     * Places a message in the stream (next {@code seq}, this epoch), records it and queues it for every member.
     * Returns the placed message, or null when the members' event loops are over their queue limits.
     */
    public ServerMessage publish(ServerMessage draft) {
        synchronized (streamLock) {
            if (!members.hasRoom()) {
                return null;
            }
            ServerMessage placed = draft.at(seq + 1, epoch);
            append(placed, null);
            return placed;
        }
    }

    /**
     * Cluster mode: delivers a message the shared stream has already placed, if it is the next one here. Returns
     * what happened, so the caller can drop a duplicate or fetch the messages in a gap first. A message of another
     * epoch means the room follows that stream from its start (its first message here, or the store lost the room
     * and began again).
     */
    public Arrival arrive(ServerMessage placed) {
        return arrive(placed, null);
    }

    /** As {@link #arrive(ServerMessage)}, delivering {@code wire} (the message's frame, made already) if not null. */
    public Arrival arrive(ServerMessage placed, EncodedFrame wire) {
        synchronized (streamLock) {
            if (!epoch.equals(placed.epoch())) {
                // From the start of that stream: what came before this message is a gap to fill, not to skip (a
                // fan-out without order, like NATS, may bring seq 2 before seq 1).
                epoch = placed.epoch();
                seq = 0;
                context.history().forget(id);
            }
            if (placed.seq() <= seq) {
                return Arrival.DUPLICATE;
            }
            if (placed.seq() > seq + 1) {
                return Arrival.GAP;
            }
            // Past a lane's limit the frame is still queued: it is already acknowledged and stored, and a remote
            // node cannot refuse it; the lanes are bounded by the publishers being refused upstream.
            append(placed, wire);
            return Arrival.DELIVERED;
        }
    }

    /**
     * The one way a message enters the stream, published here or arrived from a shared stream: it becomes the
     * room's position, goes into history and is queued for every member. Holds the stream lock. {@code wire} is the
     * message's frame if it was made already (one reference is taken), else the message is encoded here.
     */
    private void append(ServerMessage placed, EncodedFrame wire) {
        EncodedFrame frame = wire != null ? wire.retain() : context.encoder().encode(placed);
        try {
            seq = placed.seq();
            context.history().append(placed);
            members.deliverAt(frame, placed.seq());
        } finally {
            frame.release();
        }
        messageCount.incrementAndGet();
    }

    /**
     * Cluster mode: moves the room to where the shared stream stands without delivering what came before, and
     * keeps {@code recent} (oldest first, ending at {@code at}) for resumes. Used when this node starts following a
     * room and when the rest of a gap can no longer be fetched. Does nothing if the room is already further.
     */
    public void skipTo(StreamPosition at, List<ServerMessage> recent) {
        synchronized (streamLock) {
            boolean newEpoch = !epoch.equals(at.epoch());
            if (!newEpoch && at.seq() <= seq) {
                return;
            }
            if (newEpoch) {
                epoch = at.epoch();
                context.history().forget(id);
            }
            long after = newEpoch ? Long.MIN_VALUE : seq;
            for (ServerMessage message : recent) {
                if (message.seq() > after && at.epoch().equals(message.epoch())) {
                    context.history().append(message);
                }
            }
            seq = at.seq();
        }
    }

    /** What {@link #arrive} did with a message. */
    public enum Arrival { DELIVERED, DUPLICATE, GAP }

    /** Delivers an event (joins, leaves, presence) that is not part of the stream. */
    public boolean announce(EncodedFrame frame) {
        synchronized (streamLock) {
            return members.deliver(frame);
        }
    }

    /**
     * A {@code message_update} for one of the room's messages: the kept copy changes (so a resume replays the new
     * text) and the members get the frame, under the lock so that no resume falls between the two. Not part of the
     * stream: no seq. Like an event, lost to a full lane rather than refused.
     */
    public void update(ServerMessage update, EncodedFrame frame) {
        synchronized (streamLock) {
            context.history().update(update);
            recentUpdates.remove(update.id()); // put back last: the map stays in the order of the newest updates
            recentUpdates.put(update.id(), new PlacedUpdate(update, seq));
            if (recentUpdates.size() > MAX_RECENT_UPDATES) {
                Iterator<PlacedUpdate> oldest = recentUpdates.values().iterator();
                updatesForgottenAt = Math.max(updatesForgottenAt, oldest.next().atSeq());
                oldest.remove();
            }
            members.deliver(frame);
        }
    }

    /** An update and the stream position it happened at. */
    private record PlacedUpdate(ServerMessage update, long atSeq) {
    }

    /** Counts a message that reached the room outside its stream, such as a relayed binary frame. */
    public void countMessage() {
        messageCount.incrementAndGet();
    }

    public Audience members() {
        return members;
    }

    /** The users in the room, one entry each. */
    public List<RoomMember> users() {
        return List.copyOf(users.values());
    }

    public boolean hasUser(String userId) {
        return users.containsKey(userId);
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public String epoch() {
        return epoch;
    }

    /** Where the stream stands: the epoch and the seq of the last message. */
    public StreamPosition position() {
        synchronized (streamLock) {
            return new StreamPosition(epoch, seq);
        }
    }

    /** Connections in the room. */
    public int clientCount() {
        return members.size();
    }

    /** Distinct users in the room. */
    public int userCount() {
        return users.size();
    }

    public long messageCount() {
        return messageCount.get();
    }

    public RoomInfo info() {
        return new RoomInfo(id, name, description, clientCount(), userCount(), messageCount(), createdAt);
    }
}
