/**
 * Several nodes as one server: the {@link dev.relay.core.cluster.Broker} an engine implements to carry room,
 * private and broadcast messages between nodes (as bytes of the transport's {@link dev.relay.core.codec.MessageCodec})
 * and to keep each room's one shared stream, the {@link dev.relay.core.cluster.RoomPresence} that announces who comes
 * and goes once for the whole cluster; and what the hub answers for an accepted message
 * ({@link dev.relay.core.cluster.Published}), which {@link dev.relay.core.cluster.SharedRetries} keeps for
 * retries. The core knows no engine; without a broker the hub is the single-node server it always was.
 */
package dev.relay.core.cluster;
