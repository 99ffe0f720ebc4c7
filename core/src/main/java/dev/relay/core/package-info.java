/**
 * Relay's domain, free of any transport: the {@link dev.relay.core.Hub} routes messages between sessions, rooms and
 * users; {@code delivery} fans encoded frames out per event loop; {@code policy} holds the rules a message must pass.
 */
package dev.relay.core;
