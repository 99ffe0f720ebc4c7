package dev.relay.client;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The application's callbacks. Registered from any thread; called on the client's scheduler, one at a time. */
final class Listeners {
    private static final System.Logger LOG = System.getLogger(RelayClient.class.getName());

    final List<Consumer<Message>> messages = new CopyOnWriteArrayList<>();
    final List<Consumer<Message>> privates = new CopyOnWriteArrayList<>();
    final List<Consumer<Message>> broadcasts = new CopyOnWriteArrayList<>();
    final List<Consumer<Message>> updates = new CopyOnWriteArrayList<>();
    final List<Consumer<Presence>> presence = new CopyOnWriteArrayList<>();
    final List<Consumer<StateChange>> states = new CopyOnWriteArrayList<>();
    final List<Consumer<RelayException>> errors = new CopyOnWriteArrayList<>();
    final List<Consumer<ByteBuffer>> binary = new CopyOnWriteArrayList<>();
    final List<Consumer<Resumed>> recovered = new CopyOnWriteArrayList<>();
    final List<Consumer<Resumed>> reload = new CopyOnWriteArrayList<>();
    final List<Consumer<String>> roomClosed = new CopyOnWriteArrayList<>();

    /** A listener that throws must not stop the others, nor the client's own bookkeeping. */
    static <T> void fire(List<Consumer<T>> listeners, T event) {
        for (Consumer<T> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a Relay client listener failed on " + event, e);
            }
        }
    }
}
