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
            int firstSpace = indexOf(payload, (byte) ' ', at, newline);
            int secondSpace = indexOf(payload, (byte) ' ', firstSpace + 1, newline);
            if (firstSpace < 0 || secondSpace < 0 || indexOf(payload, (byte) ' ', secondSpace + 1, newline) >= 0) {
                throw new IllegalArgumentException("a room frame's header is '<seq> <epoch> <length>'");
            }
            long seq = number(payload, at, firstSpace);
            String epoch = new String(payload, firstSpace + 1, secondSpace - firstSpace - 1, StandardCharsets.UTF_8);
            long length = number(payload, secondSpace + 1, newline);
            long end = newline + 1 + length;
            if (end > payload.length) {
                throw new IllegalArgumentException("a room frame runs past the payload");
            }
            reader.frame(seq, epoch, Arrays.copyOfRange(payload, newline + 1, (int) end));
            at = (int) end;
        }
    }

    /** One frame, as the script writes it: for tests and for a broker that fans out elsewhere. */
    static byte[] write(long seq, String epoch, byte[] body) {
        byte[] header = (seq + " " + epoch + " " + body.length + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] frame = Arrays.copyOf(header, header.length + body.length);
        System.arraycopy(body, 0, frame, header.length, body.length);
        return frame;
    }

    /** The first {@code b} in {@code [from, to)}, or -1. */
    private static int indexOf(byte[] bytes, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The non-negative decimal number in {@code [from, to)}. */
    private static long number(byte[] bytes, int from, int to) {
        if (from >= to || to - from > 18) {
            throw new IllegalArgumentException("a room frame's header holds a malformed number");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            if (bytes[i] < '0' || bytes[i] > '9') {
                throw new IllegalArgumentException("a room frame's header holds a malformed number");
            }
            value = value * 10 + (bytes[i] - '0');
        }
        return value;
    }

    static int indexOf(byte[] bytes, byte b, int from) {
        int at = indexOf(bytes, b, from, bytes.length);
        if (at < 0) {
            throw new IllegalArgumentException("no header line");
        }
        return at;
    }
}
