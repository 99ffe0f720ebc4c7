package dev.relay.core.codec;

import dev.relay.core.protocol.ServerMessage;

/** Turns a message into wire bytes, once per message; the transport provides it (JSON over WebSocket). */
@FunctionalInterface
public interface Encoder {
    /** A new frame holding one reference, which the caller releases. */
    EncodedFrame encode(ServerMessage message);
}
