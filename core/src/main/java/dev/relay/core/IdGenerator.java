package dev.relay.core;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids for messages and connections: 10 characters of milliseconds, 4 of a random per-process prefix and 6 of a
 * counter, in Crockford's base 32 (no I, L, O, U). They sort by creation time across processes to the millisecond,
 * and the random prefix keeps two processes from handing out the same id.
 */
final class IdGenerator {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

    private final Clock clock;
    private final long processPrefix;
    private final AtomicLong counter = new AtomicLong();

    IdGenerator(Clock clock) {
        this.clock = clock;
        this.processPrefix = new SecureRandom().nextInt(1 << 20);
    }

    String next() {
        char[] id = new char[20];
        encode(clock.millis(), id, 0, 10);
        encode(processPrefix, id, 10, 4);
        encode(counter.getAndIncrement(), id, 14, 6);
        return new String(id);
    }

    private static void encode(long value, char[] into, int offset, int digits) {
        for (int i = offset + digits - 1; i >= offset; i--) {
            into[i] = ALPHABET[(int) (value & 31)];
            value >>>= 5;
        }
    }
}
