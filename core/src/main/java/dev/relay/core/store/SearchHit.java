package dev.relay.core.store;

import dev.relay.core.protocol.ServerMessage;

/** A message a search found, with its content around the first match and the match marked {@code <mark>..</mark>}. */
public record SearchHit(ServerMessage message, String highlight) {
}
