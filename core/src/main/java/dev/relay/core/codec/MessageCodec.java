package dev.relay.core.codec;

import dev.relay.core.protocol.ServerMessage;

/**
 * How a message travels between nodes: bytes the broker carries as they are. The transport provides it (the same
 * JSON as on the wire, so {@code data} passes through untouched); a message is encoded once for the broker.
 */
public interface MessageCodec {
    byte[] encode(ServerMessage message);

    /** The message as encoded; throws {@link IllegalArgumentException} for bytes this codec did not write. */
    ServerMessage decode(byte[] bytes);

    /**
     * The wire frame of a room message from what {@link #encode} wrote, placed at {@code seq} in {@code epoch},
     * without decoding and encoding it again; null when this codec cannot make one (the caller encodes the decoded
     * message then). The caller releases it.
     */
    default EncodedFrame wireFrame(byte[] encoded, long seq, String epoch) {
        return null;
    }
}
