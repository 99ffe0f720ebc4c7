package dev.relay.server.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/** Certificates made by the tests: a CA, and server and client certificates it signs, written as PEM files. */
public final class TestCertificates {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
    private static final char[] PASSWORD = "test-keystore".toCharArray();

    /** A key pair with its certificate and the CA that signed it (itself, for a CA). */
    public record Issued(KeyPair keys, X509Certificate certificate, X509Certificate issuer) {
        public BigInteger serial() {
            return certificate.getSerialNumber();
        }

        /** The chain (this certificate, then its CA's) as PEM. */
        public void writeChain(Path file) {
            write(file, pem("CERTIFICATE", encoded(certificate)) + pem("CERTIFICATE", encoded(issuer)));
        }

        public void writeCertificate(Path file) {
            write(file, pem("CERTIFICATE", encoded(certificate)));
        }

        /** The private key as PKCS#8 ("BEGIN PRIVATE KEY"). */
        public void writeKey(Path file) {
            write(file, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        }

        /** The key as OpenSSL's traditional format writes it: PKCS#1 for RSA, SEC1 for EC. */
        public void writeTraditionalKey(Path file) {
            try {
                byte[] inner = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded())
                        .parsePrivateKey().toASN1Primitive().getEncoded();
                write(file, pem(keys.getPrivate().getAlgorithm().equals("RSA") ? "RSA PRIVATE KEY" : "EC PRIVATE KEY",
                        inner));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Chromium's --ignore-certificate-errors-spki-list value: base64 of SHA-256 of the public key. */
        public String spkiHash() {
            try {
                return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                        .digest(certificate.getPublicKey().getEncoded()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TestCertificates() {
    }

    public static Issued authority(String name) {
        KeyPair keys = keyPair("EC");
        X509Certificate certificate = sign(name, keys, name, keys.getPrivate(), true, null);
        return new Issued(keys, certificate, certificate);
    }

    /** A server certificate for 127.0.0.1 and localhost, signed by {@code ca}, with a key of {@code algorithm}. */
    public static Issued server(Issued ca, String algorithm) {
        KeyPair keys = keyPair(algorithm);
        X509Certificate certificate = sign("localhost", keys, ca.certificate().getSubjectX500Principal().getName(),
                ca.keys().getPrivate(), false, new GeneralNames(new GeneralName[]{
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
        return new Issued(keys, certificate, ca.certificate());
    }

    /** A client certificate signed by {@code ca}, for mutual TLS. */
    public static Issued client(Issued ca, String name) {
        KeyPair keys = keyPair("EC");
        X509Certificate certificate = sign(name, keys, ca.certificate().getSubjectX500Principal().getName(),
                ca.keys().getPrivate(), false, null);
        return new Issued(keys, certificate, ca.certificate());
    }

    /** A client context that trusts {@code ca} and, when {@code identity} is given, presents it. */
    public static SSLContext clientContext(Issued ca, Issued identity) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            KeyManagerFactory keyManagers = null;
            if (identity != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", identity.keys().getPrivate(), PASSWORD,
                        new X509Certificate[]{identity.certificate(), identity.issuer()});
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, PASSWORD);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(),
                    null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair(String algorithm) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(algorithm.equals("RSA") ? 2048 : 256);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(String subject, KeyPair keys, String issuer, PrivateKey issuerKey,
                                        boolean authority, GeneralNames names) {
        try {
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(rfc(issuer)),
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(2))), new X500Name("CN=" + subject), keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            if (authority) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            if (names != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, names);
            }
            String algorithm = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rfc(String name) {
        return name.contains("=") ? name : "CN=" + name;
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void write(Path file, String text) {
        try {
            // Written beside and moved over the old file, as certbot and cert-manager replace them.
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, text, StandardCharsets.US_ASCII);
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
