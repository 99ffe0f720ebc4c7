package dev.relay.core.event;

import java.time.Duration;

/**
 * Receives the hub's events, one at a time, in the order they were offered to it, on a thread of its own (never an
 * event loop). It may block (a webhook call, a queue producer): only its own queue fills, and what does not fit is
 * dropped and counted. An exception is logged and counted; the next event is delivered as usual.
 */
public interface EventListener {
    /** Names the listener in logs and metrics ({@code listener} tag); unique within one stream. */
    String name();

    void onEvent(RelayEvent event);

    /**
     * How long an event may wait before this listener's thread takes it. Zero (the default): the thread is woken for
     * each event. A listener that only aggregates (analytics) may answer a few tens of milliseconds: its thread then
     * takes what queued every so often, and publishers never wake it, which spares the event loops a thread wake-up
     * per event (the queue must hold what arrives meanwhile: {@link EventStream#DEFAULT_CAPACITY} events).
     */
    default Duration batchDelay() {
        return Duration.ZERO;
    }
}
