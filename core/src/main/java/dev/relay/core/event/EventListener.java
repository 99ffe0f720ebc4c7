package dev.relay.core.event;

/**
 * Receives the hub's events, one at a time, in the order they were offered to it, on a thread of its own (never an
 * event loop). It may block (a webhook call, a queue producer): only its own queue fills, and what does not fit is
 * dropped and counted. An exception is logged and counted; the next event is delivered as usual.
 */
public interface EventListener {
    /** Names the listener in logs and metrics ({@code listener} tag); unique within one stream. */
    String name();

    void onEvent(RelayEvent event);
}
