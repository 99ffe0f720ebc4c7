package dev.relay.bench.load;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The content the generator publishes: {@code ~PUBLISHER.SEQUENCE.SENT_NANOS~}, or
 * {@code ~PUBLISHER.SEQUENCE.SENT_NANOS.LAG_NANOS~} when a paced publisher sent it late (LAG: how long after its
 * planned time), padded with {@code x} to the asked size. It is plain ASCII that needs no JSON escaping, so it reads the same inside Relay's envelope, a raw frame, a
 * Socket.IO event, or several of them joined by newlines (Gorilla's coalescing): a receiver finds every payload in a
 * frame by scanning for the marker, without parsing anything else.
 */
public final class Payload {
    static final byte MARK = '~';
    private static final byte PAD = 'x';

    private Payload() {
    }

    /** Receives each payload found in a frame. */
    @FunctionalInterface
    public interface Sink {
        void payload(int publisher, long sequence, long sentNanos, long lagNanos);
    }

    /** Writes the payload of at least {@code size} bytes (more when the header alone is longer) and returns its length. */
    public static int write(ByteBuf out, int publisher, long sequence, long sentNanos, int size) {
        return write(out, publisher, sequence, sentNanos, 0, size);
    }

    /** The same with the lag behind the planned send time; a lag of 0 is left out. */
    public static int write(ByteBuf out, int publisher, long sequence, long sentNanos, long lagNanos, int size) {
        int start = out.writerIndex();
        out.writeByte(MARK);
        writeDecimal(out, publisher);
        out.writeByte('.');
        writeDecimal(out, sequence);
        out.writeByte('.');
        writeDecimal(out, sentNanos);
        if (lagNanos > 0) {
            out.writeByte('.');
            writeDecimal(out, lagNanos);
        }
        out.writeByte(MARK);
        int pad = size - (out.writerIndex() - start);
        if (pad > 0) {
            out.writeCharSequence(Padding.of(pad), StandardCharsets.US_ASCII);
        }
        return out.writerIndex() - start;
    }

    /** The payload as a string, for tests and for text-only transports. */
    public static String toString(int publisher, long sequence, long sentNanos, int size) {
        return toString(publisher, sequence, sentNanos, 0, size);
    }

    public static String toString(int publisher, long sequence, long sentNanos, long lagNanos, int size) {
        StringBuilder text = new StringBuilder(Math.max(size, 32)).append('~').append(publisher).append('.')
                .append(sequence).append('.').append(sentNanos);
        if (lagNanos > 0) {
            text.append('.').append(lagNanos);
        }
        text.append('~');
        while (text.length() < size) {
            text.append((char) PAD);
        }
        return text.toString();
    }

    /**
     * Finds every payload between {@code from} (inclusive) and {@code to} (exclusive) and hands it to the sink.
     * Returns how many it found. A malformed marker is skipped.
     */
    public static int scan(ByteBuf frame, int from, int to, Sink sink) {
        byte[] bytes = new byte[to - from];
        frame.getBytes(from, bytes);
        return scan(bytes, 0, bytes.length, sink);
    }

    /** The same over an array: what the client uses, after one bulk copy of the frame out of the receive buffer. */
    public static int scan(byte[] frame, int from, int to, Sink sink) {
        int found = 0;
        int i = from;
        while (i < to) {
            while (i < to && frame[i] != MARK) {
                i++;
            }
            if (i >= to) {
                break;
            }
            int mark = i;
            int p = mark + 1;
            long publisher = 0;
            long sequence = 0;
            long nanos = 0;
            long lag = 0;
            int field = 0;
            boolean digits = false;
            boolean ok = false;
            for (; p < to; p++) {
                byte b = frame[p];
                if (b >= '0' && b <= '9') {
                    long digit = b - '0';
                    switch (field) {
                        case 0 -> publisher = publisher * 10 + digit;
                        case 1 -> sequence = sequence * 10 + digit;
                        case 2 -> nanos = nanos * 10 + digit;
                        default -> lag = lag * 10 + digit;
                    }
                    digits = true;
                } else if (b == '.' && digits && field < 3) {
                    field++;
                    digits = false;
                } else {
                    ok = b == MARK && digits && field >= 2;
                    break;
                }
            }
            if (ok) {
                sink.payload((int) publisher, sequence, nanos, lag);
                found++;
                i = p + 1;
            } else {
                i = mark + 1;
            }
        }
        return found;
    }

    private static void writeDecimal(ByteBuf out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("payload numbers are never negative: " + value);
        }
        if (value < 10) {
            out.writeByte('0' + (int) value);
            return;
        }
        int digits = 1;
        for (long v = value / 10; v > 0; v /= 10) {
            digits++;
        }
        int end = out.writerIndex() + digits;
        out.ensureWritable(digits);
        for (int at = end - 1; at >= end - digits; at--) {
            out.setByte(at, '0' + (int) (value % 10));
            value /= 10;
        }
        out.writerIndex(end);
    }

    /** Cached runs of padding so writing a payload allocates nothing. */
    private static final class Padding {
        private static final String LONG = "x".repeat(64 * 1024);

        static CharSequence of(int length) {
            return length <= LONG.length() ? LONG.subSequence(0, length) : "x".repeat(length);
        }
    }
}
