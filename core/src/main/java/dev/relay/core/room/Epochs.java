package dev.relay.core.room;

import java.security.SecureRandom;

/** New stream epochs: 8 random characters, so two runs of a room never share one. */
final class Epochs {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Epochs() {
    }

    static String next() {
        char[] epoch = new char[8];
        for (int i = 0; i < epoch.length; i++) {
            epoch[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(epoch);
    }
}
