package dev.relay.core.local;

import dev.relay.core.Hub;
import dev.relay.core.identity.Identity;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Where a hub's in-process senders and clients come from. Every {@link LocalClient} of one hub runs its session on
 * one shared serial executor (a virtual thread), the way many sockets share an event loop: the hub keeps a delivery
 * lane per executor for its whole life, so an executor per client would cost a lane per client ever opened. What a
 * client receives is handed to its handler on a thread of the client's own, so a slow handler never holds up the
 * others; only the hub's work for the clients (registering, routing their messages, writing to them) is serial.
 */
public final class LocalClients implements AutoCloseable {
    private final Hub hub;
    private final FrameReader reader;
    private final ExecutorService loop = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("relay-local-loop").factory());

    /** @param reader reads the hub's frames back into JSON fields (the transport's codec) */
    public LocalClients(Hub hub, FrameReader reader) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    /** Sends as {@code identity} without a session: no presence, no lane, nothing to close. */
    public LocalSender sender(Identity identity) {
        return new LocalSender(hub, identity);
    }

    /**
     * Connects as {@code identity} into {@code roomId} and waits for the hub to register it (blocking: do not call on
     * an event loop or from a client's answer). The {@code welcome} and everything after it go to {@code handler}.
     *
     * @throws dev.relay.core.protocol.ProtocolException as a socket's connect would be refused
     */
    public LocalClient connect(Identity identity, String roomId, Consumer<Map<String, Object>> handler) {
        return connect(identity, roomId, handler, LocalClient.DEFAULT_INBOX);
    }

    public LocalClient connect(Identity identity, String roomId, Consumer<Map<String, Object>> handler,
                               int inboxSize) {
        return LocalClient.connect(hub, loop, identity, roomId, reader, handler, inboxSize);
    }

    /** Stops the shared executor; clients still open are closed with the hub's shutdown, not here. */
    @Override
    public void close() {
        loop.shutdown();
    }
}
