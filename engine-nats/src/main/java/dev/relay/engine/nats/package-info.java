/**
 * The NATS engine: {@link dev.relay.engine.nats.NatsBroker} fans messages out between Relay nodes over NATS, and
 * keeps room streams (seq, epoch, recent messages) in a {@link dev.relay.core.cluster.RoomStreams} (the Redis
 * engine's, in the server), which NATS cannot do alone.
 */
package dev.relay.engine.nats;
