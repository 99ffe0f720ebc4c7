package dev.relay.server.tls;

import dev.relay.server.config.ConfigException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads PEM certificates and keys, saying in one line what is wrong with a file that will not do. */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    /** DER of AlgorithmIdentifier { rsaEncryption, NULL }: what wraps a PKCS#1 RSA key into PKCS#8. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemFiles() {
    }

    static List<X509Certificate> certificates(Path file, String key) {
        byte[] bytes = read(file, key);
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes)).stream()
                    .map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new ConfigException(problem(key, file, "holds no PEM certificate"));
            }
            return chain;
        } catch (CertificateException e) {
            throw new ConfigException(problem(key, file, "is not a PEM certificate (" + e.getMessage() + ")"));
        }
    }

    static PrivateKey privateKey(Path file, String key) {
        String text = new String(read(file, key), StandardCharsets.US_ASCII);
        Matcher block = BLOCK.matcher(text);
        if (!block.find()) {
            throw new ConfigException(problem(key, file, "holds no PEM private key"));
        }
        byte[] der = Base64.getMimeDecoder().decode(block.group(2));
        byte[] pkcs8 = switch (block.group(1)) {
            case "PRIVATE KEY" -> der;
            case "RSA PRIVATE KEY" -> wrapRsa(der);
            case "ENCRYPTED PRIVATE KEY" -> throw new ConfigException(problem(key, file,
                    "is encrypted; Relay needs it unencrypted (openssl pkcs8 -topk8 -nocrypt), readable by it only"));
            case "EC PRIVATE KEY" -> throw new ConfigException(problem(key, file,
                    "is a SEC1 EC key; convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8"));
            default -> throw new ConfigException(problem(key, file, "holds a '" + block.group(1)
                    + "' block, not a private key"));
        };
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException notThisAlgorithm) {
                // try the next
            }
        }
        throw new ConfigException(problem(key, file, "is not an RSA, EC or EdDSA private key Relay can read"));
    }

    private static byte[] read(Path file, String key) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(problem(key, file, "cannot be read (" + e.getMessage() + ")"));
        }
    }

    static String problem(String key, Path file, String what) {
        return "websocket." + key + ": " + file + " " + what;
    }

    /** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { the PKCS#1 key } }. */
    private static byte[] wrapRsa(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[]{0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.writeBytes(derHeader(0x04, pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.writeBytes(derHeader(0x30, body.size()));
        info.writeBytes(body.toByteArray());
        return info.toByteArray();
    }

    private static byte[] derHeader(int tag, int length) {
        if (length < 0x80) {
            return new byte[]{(byte) tag, (byte) length};
        }
        int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
        byte[] header = new byte[2 + bytes];
        header[0] = (byte) tag;
        header[1] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            header[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
        }
        return header;
    }
}
