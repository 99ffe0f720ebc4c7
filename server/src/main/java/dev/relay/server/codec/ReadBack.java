package dev.relay.server.codec;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A frame the hub encoded, read back into its JSON fields and text for the transports that frame messages their own
 * way (STOMP, Socket.IO), once per event loop rather than once per recipient: a lane hands every connection on its
 * loop the same frame in turn, so the last frame read on this thread is usually the one asked for next.
 *
 * @param fields the JSON fields ({@link JsonCodec#read}); never mutate them, other recipients share them
 * @param json   the payload as text
 */
public record ReadBack(Map<String, Object> fields, String json) {
    private static final ThreadLocal<Last> LAST = new ThreadLocal<>();

    private record Last(WireFrame frame, ReadBack read) {
    }

    /** The frame's fields and text, or null for a binary frame. */
    public static ReadBack of(JsonCodec codec, WireFrame frame) {
        Last last = LAST.get();
        if (last != null && last.frame() == frame) {
            return last.read();
        }
        Map<String, Object> fields = codec.read(frame);
        ReadBack read = fields == null ? null
                : new ReadBack(fields, frame.payload().toString(StandardCharsets.UTF_8));
        // Holding the frame object keeps its identity unique; its buffer is never touched again from here.
        LAST.set(new Last(frame, read));
        return read;
    }
}
