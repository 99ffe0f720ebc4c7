package dev.relay.core.cluster;

import dev.relay.core.protocol.ServerMessage;

/**
 * How a message travels between nodes: bytes the broker carries as they are. The transport provides it (the same
 * JSON as on the wire, so {@code data} passes through untouched); a message is encoded once for the broker.
 */
public interface MessageCodec {
    byte[] encode(ServerMessage message);

    /** The message as encoded; throws {@link IllegalArgumentException} for bytes this codec did not write. */
    ServerMessage decode(byte[] bytes);
}
