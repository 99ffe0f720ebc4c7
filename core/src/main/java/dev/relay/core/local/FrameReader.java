package dev.relay.core.local;

import dev.relay.core.codec.EncodedFrame;

import java.util.Map;

/**
 * Reads a frame the hub encoded back into its JSON fields ({@code type}, {@code room_id}, {@code data}...: the shapes
 * of docs/protocol.md, objects as maps, numbers as {@link Number}s). Supplied by the transport, which owns the
 * encoding. Returns null for a frame that is no JSON message (a relayed binary frame).
 */
@FunctionalInterface
public interface FrameReader {
    Map<String, Object> read(EncodedFrame frame);
}
