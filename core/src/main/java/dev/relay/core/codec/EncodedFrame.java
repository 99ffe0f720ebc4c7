package dev.relay.core.codec;

/**
 * A message already encoded for the wire, produced once and written to every recipient. The core passes it around
 * without looking inside; the transport implements it (for Netty, one pooled buffer holding the whole WebSocket
 * frame). Reference counted: whoever holds a reference past the call that handed it over must {@link #retain()} and
 * later {@link #release()} it.
 */
public interface EncodedFrame {
    /** Bytes of the message's payload (without transport framing). */
    int length();

    EncodedFrame retain();

    void release();
}
