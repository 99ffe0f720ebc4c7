package dev.relay.server.assistant;

import dev.relay.core.Hub;
import dev.relay.core.identity.Identity;
import dev.relay.core.local.LocalClient;
import dev.relay.core.local.LocalClients;
import dev.relay.core.room.RoomInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The assistant is online (in {@code /ws/users/online} and the member lists of its rooms) while its model server
 * answers: a probe every {@link Assistant#PROBE_INTERVAL} connects an in-process client into the allowed public rooms
 * when the server starts answering and closes it when it stops. Rooms created later are joined as they appear.
 * Probes run one at a time, on a virtual thread.
 */
final class Availability implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Availability.class);

    private final Hub hub;
    private final LocalClients local;
    private final Identity identity;
    private final RoomPatterns rooms;
    private final BooleanSupplier reachable;
    private LocalClient client; // guarded by this
    private boolean closed; // guarded by this

    Availability(Hub hub, LocalClients local, Identity identity, RoomPatterns rooms, BooleanSupplier reachable) {
        this.hub = hub;
        this.local = local;
        this.identity = identity;
        this.rooms = rooms;
        this.reachable = reachable;
    }

    synchronized boolean online() {
        return client != null;
    }

    /** One probe: online if the model server answered, offline if it did not. */
    void check() {
        boolean up = reachable.getAsBoolean();
        synchronized (this) {
            if (closed) {
                return;
            }
            if (up && client == null) {
                connect();
            } else if (!up && client != null) {
                LOG.warn("event=assistant_offline reason=\"the model server does not answer\"");
                client.close();
                client = null;
            }
        }
    }

    /** Under the monitor. */
    private void connect() {
        List<String> allowed = hub.queries().roomInfos().stream().map(RoomInfo::id)
                .filter(id -> rooms.matches(id) && !hub.queries().roomAccess().isPrivate(id))
                .sorted().toList();
        if (allowed.isEmpty()) {
            return; // no room to be in yet: the next probe, or a room created, tries again
        }
        try {
            client = local.connect(identity, allowed.getFirst(), frame -> {
                // What the rooms carry reaches the assistant through the event stream, once per cluster.
            });
        } catch (RuntimeException refused) {
            LOG.warn("event=assistant_not_online reason=\"{}\"", refused.getMessage());
            return;
        }
        allowed.stream().skip(1).forEach(client::join);
        LOG.info("event=assistant_online rooms={}", allowed);
    }

    /** A room created while online is joined if allowed (an event listener's thread; join does not block). */
    synchronized void roomCreated(String roomId) {
        if (client != null && rooms.matches(roomId) && !hub.queries().roomAccess().isPrivate(roomId)) {
            client.join(roomId);
        } else if (client == null && !closed) {
            Thread.ofVirtual().start(this::check); // maybe the first room it can be in
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
