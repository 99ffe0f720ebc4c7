package dev.relay.server.tls;

import dev.relay.server.config.ConfigException;
import dev.relay.server.config.TlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The TLS contexts of the public port and of the internal one (which requires client certificates when
 * {@code tls_client_ca} is set). A renewed certificate or key on disk, as cert-manager or certbot leave them, is taken
 * on the next check: new connections shake hands with it, open ones keep theirs. A renewal that does not load (a key
 * written before its certificate, say) is logged once and the previous context stays until the files agree again.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** What one consistent set of files gave. */
    private record Loaded(SslContext publicPort, SslContext internalPort, X509Certificate certificate) {
    }

    private final TlsConfig config;
    private final SslProvider provider;
    private final AtomicReference<Loaded> current = new AtomicReference<>();
    private final ScheduledExecutorService reloader;
    /** The files last tried, loaded or not, so a bad renewal is reported once rather than at every check. */
    private volatile byte[] lastTried;

    private ServerTls(TlsConfig config) {
        this.config = config;
        this.provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        byte[] fingerprint;
        try {
            fingerprint = fingerprint(); // before loading: a renewal while we load is then seen at the first check
        } catch (IllegalStateException unreadable) {
            fingerprint = null; // load() names the file and the problem
        }
        current.set(load());
        lastTried = fingerprint;
        if (config.reloadInterval().isZero()) {
            reloader = null;
        } else {
            reloader = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "relay-tls-reload");
                thread.setDaemon(true);
                return thread;
            });
            long every = config.reloadInterval().toMillis();
            reloader.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        }
        X509Certificate certificate = current.get().certificate();
        LOG.info("event=tls provider={} subject=\"{}\" not_after={} client_ca={}", providerName(),
                certificate.getSubjectX500Principal().getName(), certificate.getNotAfter().toInstant(),
                config.clientCa().isPresent());
        if (certificate.getNotAfter().toInstant().isBefore(Instant.now())) {
            LOG.warn("event=tls_certificate_expired not_after={} detail=\"clients will refuse it\"",
                    certificate.getNotAfter().toInstant());
        }
    }

    /**
     * The contexts for {@code config}, or empty when TLS is off.
     *
     * @throws ConfigException naming the key and the file when a file is missing, unreadable, not PEM, or when the
     *                         key is not the certificate's
     */
    public static Optional<ServerTls> open(TlsConfig config) {
        return config.enabled() ? Optional.of(new ServerTls(config)) : Optional.empty();
    }

    public SslHandler publicHandler(ByteBufAllocator allocator) {
        return current.get().publicPort().newHandler(allocator);
    }

    public SslHandler internalHandler(ByteBufAllocator allocator) {
        return current.get().internalPort().newHandler(allocator);
    }

    /** {@code openssl} (netty-tcnative's BoringSSL) or {@code jdk}. */
    public String providerName() {
        return provider == SslProvider.OPENSSL ? "openssl" : "jdk";
    }

    /** The server certificate new connections get. */
    public X509Certificate certificate() {
        return current.get().certificate();
    }

    void reloadIfChanged() {
        try {
            byte[] fingerprint = fingerprint();
            if (Arrays.equals(fingerprint, lastTried)) {
                return;
            }
            lastTried = fingerprint;
            Loaded loaded = load();
            current.set(loaded);
            LOG.info("event=tls_reloaded subject=\"{}\" not_after={}",
                    loaded.certificate().getSubjectX500Principal().getName(),
                    loaded.certificate().getNotAfter().toInstant());
        } catch (ConfigException | IllegalStateException e) {
            LOG.warn("event=tls_reload_failed detail=\"{}\" keeping=previous_certificate", e.getMessage());
        }
    }

    private Loaded load() {
        Path certFile = config.certFile().orElseThrow();
        Path keyFile = config.keyFile().orElseThrow();
        List<X509Certificate> chain = PemFiles.certificates(certFile, "tls_cert_file");
        PrivateKey key = PemFiles.privateKey(keyFile, "tls_key_file");
        requireMatch(chain.get(0), key, keyFile);
        X509Certificate[] certificates = chain.toArray(X509Certificate[]::new);
        try {
            SslContext publicPort = builder(key, certificates).build();
            SslContextBuilder internal = builder(key, certificates);
            if (config.clientCa().isPresent()) {
                internal.trustManager(PemFiles.certificates(config.clientCa().get(), "tls_client_ca")
                        .toArray(X509Certificate[]::new)).clientAuth(ClientAuth.REQUIRE);
            }
            return new Loaded(publicPort, internal.build(), chain.get(0));
        } catch (SSLException e) {
            throw new ConfigException("websocket.tls_cert_file: " + certFile + " and " + keyFile
                    + " do not make a TLS context (" + e.getMessage() + ")");
        }
    }

    private SslContextBuilder builder(PrivateKey key, X509Certificate[] chain) {
        return SslContextBuilder.forServer(key, chain).sslProvider(provider).protocols(PROTOCOLS);
    }

    /** Signs with the key and verifies with the certificate: a key from another pair fails here, not at handshakes. */
    private static void requireMatch(X509Certificate certificate, PrivateKey key, Path keyFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new ConfigException(PemFiles.problem("tls_key_file", keyFile,
                    "is not the key of the certificate in tls_cert_file (" + certificate.getSubjectX500Principal()
                            .getName() + "): the two files are from different pairs"));
        }
    }

    private byte[] fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Optional<Path> file : List.of(config.certFile(), config.keyFile(), config.clientCa())) {
                if (file.isPresent()) {
                    digest.update(Files.readAllBytes(file.get()));
                }
            }
            return digest.digest();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the TLS files: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }
}
