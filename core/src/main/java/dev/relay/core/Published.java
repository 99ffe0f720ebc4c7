package dev.relay.core;

import java.time.Instant;

/** What the hub answers for an accepted message: the id it gave the message and when it accepted it. */
public record Published(String id, Instant timestamp) {
}
