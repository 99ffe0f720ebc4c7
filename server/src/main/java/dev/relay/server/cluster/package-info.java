/**
 * Multi-node wiring: the engine chosen by {@code engine} ({@link dev.relay.server.cluster.ClusterNode}) and the
 * JSON the nodes exchange ({@link dev.relay.server.cluster.BrokerCodec}).
 */
package dev.relay.server.cluster;
