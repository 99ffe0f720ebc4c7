package dev.relay.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS for the public and internal ports: on when a certificate and its key are configured.
 *
 * @param certFile       PEM certificate chain, the server's certificate first
 * @param keyFile        PEM private key of that certificate (PKCS#8, or PKCS#1 for RSA), unencrypted
 * @param clientCa       PEM certificates of the CA whose client certificates the internal port requires
 * @param reloadInterval how often the files are checked for a renewal; zero never checks
 */
public record TlsConfig(Optional<Path> certFile, Optional<Path> keyFile, Optional<Path> clientCa,
                        Duration reloadInterval) {
    public static final TlsConfig OFF = new TlsConfig(Optional.empty(), Optional.empty(), Optional.empty(),
            Duration.ZERO);

    public TlsConfig {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(clientCa, "clientCa");
        Objects.requireNonNull(reloadInterval, "reloadInterval");
    }

    public boolean enabled() {
        return certFile.isPresent();
    }
}
