package dev.relay.server.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads {@code jwt_public_key}: an RSA or EC public key as PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509
 * SubjectPublicKeyInfo), given inline or as the path of a file holding it. The JDK reads this format itself, so no
 * extra crypto provider is needed.
 */
public final class PemKeys {
    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private PemKeys() {
    }

    /** @throws IllegalArgumentException saying what is wrong, never echoing the text */
    public static PublicKey parse(String pemOrPath) {
        String text = pemOrPath.strip();
        if (!text.startsWith("-----BEGIN")) {
            text = readFile(text);
        }
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("expected a PEM public key ('" + BEGIN + "'); a certificate or a"
                    + " private key is not accepted");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM public key is not valid base64");
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next key type
            }
        }
        throw new IllegalArgumentException("the PEM public key is neither an RSA nor an EC key");
    }

    private static String readFile(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException | InvalidPathException e) {
            throw new IllegalArgumentException("expected inline PEM or a readable file; cannot read '" + path + "'");
        }
    }

    /** Writes a key as PEM, for tests and tools. */
    public static String toPem(PublicKey key) {
        return BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded()) + "\n"
                + END + "\n";
    }
}
