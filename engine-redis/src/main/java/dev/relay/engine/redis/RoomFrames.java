package dev.relay.engine.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a room channel carries: one or more placed messages, each {@code <seq> <epoch> <length>\n<body>}, where
 * {@code length} is the body's size in bytes (a body may hold newlines: {@code data} is copied as the client wrote
 * it). {@link RoomPlacer}'s script writes it, one payload per batch.
 */
final class RoomFrames {
    private RoomFrames() {
    }

    /** What a payload holds, in order. */
    interface Reader {
        void frame(long seq, String epoch, byte[] body);
    }

    /** Reads every frame; throws {@link IllegalArgumentException} at the first malformed one (those before it are read). */
    static void read(byte[] payload, Reader reader) {
        int at = 0;
        while (at < payload.length) {
            int newline = indexOf(payload, (byte) '\n', at);
            String[] header = new String(payload, at, newline - at, StandardCharsets.UTF_8).split(" ");
            if (header.length != 3) {
                throw new IllegalArgumentException("a room frame's header is '<seq> <epoch> <length>'");
            }
            int length = Integer.parseInt(header[2]);
            int end = newline + 1 + length;
            if (length < 0 || end > payload.length) {
                throw new IllegalArgumentException("a room frame runs past the payload");
            }
            reader.frame(Long.parseLong(header[0]), header[1], Arrays.copyOfRange(payload, newline + 1, end));
            at = end;
        }
    }

    /** One frame, as the script writes it: for tests and for a broker that fans out elsewhere. */
    static byte[] write(long seq, String epoch, byte[] body) {
        byte[] header = (seq + " " + epoch + " " + body.length + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] frame = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, frame, header.length, body.length);
        return frame;
    }

    static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new IllegalArgumentException("no header line");
    }
}
