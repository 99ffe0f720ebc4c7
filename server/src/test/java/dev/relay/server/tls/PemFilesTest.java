package dev.relay.server.tls;

import dev.relay.server.config.ConfigException;
import dev.relay.server.testing.TestCertificates;
import dev.relay.server.testing.TestCertificates.Issued;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each PEM file that will not do is refused in one line naming the key, the file and what to do about it. */
class PemFilesTest {
    @TempDir
    Path dir;
    private final Issued ca = TestCertificates.authority("PEM test CA");

    @Test
    void readsAChainAndThePkcs8AndPkcs1FormsOfAKey() {
        Issued rsa = TestCertificates.server(ca, "RSA");
        rsa.writeChain(dir.resolve("chain.pem"));
        rsa.writeKey(dir.resolve("pkcs8.pem"));
        rsa.writeTraditionalKey(dir.resolve("pkcs1.pem"));

        assertThat(PemFiles.certificates(dir.resolve("chain.pem"), "tls_cert_file")).hasSize(2)
                .first().isEqualTo(rsa.certificate());
        assertThat(PemFiles.privateKey(dir.resolve("pkcs8.pem"), "tls_key_file"))
                .isEqualTo(rsa.keys().getPrivate());
        assertThat(PemFiles.privateKey(dir.resolve("pkcs1.pem"), "tls_key_file").getEncoded())
                .isEqualTo(rsa.keys().getPrivate().getEncoded());
    }

    @Test
    void anEcKeyInSec1FormSaysHowToConvertIt() {
        Issued ec = TestCertificates.server(ca, "EC");
        ec.writeTraditionalKey(dir.resolve("sec1.pem"));

        assertThatThrownBy(() -> PemFiles.privateKey(dir.resolve("sec1.pem"), "tls_key_file"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("websocket.tls_key_file: " + dir.resolve("sec1.pem"))
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void anEncryptedKeyIsRefusedWithTheReason() throws IOException {
        Files.writeString(dir.resolve("encrypted.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0=\n-----END ENCRYPTED PRIVATE KEY-----\n");

        assertThatThrownBy(() -> PemFiles.privateKey(dir.resolve("encrypted.pem"), "tls_key_file"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is encrypted");
    }

    @Test
    void aMissingFileAFileWithoutPemAndACertificateWhereAKeyShouldBeAreNamed() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
        TestCertificates.server(ca, "EC").writeCertificate(dir.resolve("cert.pem"));

        assertThatThrownBy(() -> PemFiles.certificates(dir.resolve("absent.pem"), "tls_cert_file"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("absent.pem cannot be read");
        assertThatThrownBy(() -> PemFiles.certificates(dir.resolve("notes.txt"), "tls_cert_file"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("notes.txt");
        assertThatThrownBy(() -> PemFiles.privateKey(dir.resolve("notes.txt"), "tls_key_file"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("holds no PEM private key");
        assertThatThrownBy(() -> PemFiles.privateKey(dir.resolve("cert.pem"), "tls_key_file"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("holds a 'CERTIFICATE' block");
    }
}
