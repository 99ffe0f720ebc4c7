/**
 * The event stream: what happened in the hub (rooms created and deleted, occupied and vacated, members joining and
 * leaving, users coming online and going offline, messages accepted), as immutable {@link
 * dev.relay.core.event.RelayEvent}s with stable wire names, handed to {@link dev.relay.core.event.EventListener}s
 * registered at build time. Each listener has a bounded queue and a drain thread of its own
 * ({@link dev.relay.core.event.EventStream}): the hub only offers, never waits, so a slow listener loses events (and
 * counts them) instead of slowing delivery. {@link dev.relay.core.event.StreamingObserver} turns the hub's
 * {@link dev.relay.core.observe.HubObserver} hooks into events.
 */
package dev.relay.core.event;
