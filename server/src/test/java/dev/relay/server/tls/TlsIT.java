package dev.relay.server.tls;

import dev.relay.server.config.ConfigException;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.WebSocketService;
import dev.relay.server.testing.TestCertificates;
import dev.relay.server.testing.TestCertificates.Issued;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.Tokens;
import com.nimbusds.jose.JWSAlgorithm;
import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * wss:// and https:// on one port with certificates the test makes: clients that trust the test CA connect, a
 * renewed certificate is served to new connections while open ones carry on, a key from another pair stops startup,
 * and the internal port asks for client certificates when tls_client_ca is set.
 */
class TlsIT {
    @TempDir
    Path dir;
    private Issued ca;
    private Path cert;
    private Path key;

    @BeforeEach
    void certificates() {
        ca = TestCertificates.authority("Relay Test CA");
        cert = dir.resolve("tls.crt");
        key = dir.resolve("tls.key");
        Issued server = TestCertificates.server(ca, "EC");
        server.writeChain(cert);
        server.writeKey(key);
    }

    @Test
    void servesWssAndHttpsOnTheSamePortWithTheNativeProviderWhereItLoads() throws Exception {
        try (TestServer server = start(Map.of())) {
            HttpClient https = client(TestCertificates.clientContext(ca, null));

            HttpResponse<String> ready = https.send(request(server, "/health/ready"), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.sslSession()).hasValueSatisfying(session ->
                    assertThat(session.getProtocol()).isEqualTo("TLSv1.3"));

            Frames alice = connect(https, server, "alice");
            assertThat(alice.next()).contains("\"type\":\"welcome\"");

            // Plain HTTP to the TLS port gets no answer of Relay's.
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/health/ready")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
            // A client that does not trust the CA is refused by its own check, as a browser would be.
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(request(server, "/health/ready"),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        }
        if (System.getProperty("os.arch").equals("amd64") && System.getProperty("os.name").equals("Linux")) {
            assertThat(OpenSsl.isAvailable()).as("netty-tcnative-boringssl-static loads on linux-x86_64")
                    .isTrue();
        }
    }

    @Test
    void tls12IsAcceptedAndOlderProtocolsAreNot() throws Exception {
        try (TestServer server = start(Map.of())) {
            SSLParameters tls12 = new SSLParameters();
            tls12.setProtocols(new String[]{"TLSv1.2"});
            HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.clientContext(ca, null))
                    .sslParameters(tls12).build();
            HttpResponse<String> ready = client.send(request(server, "/health/ready"), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.2");
        }
    }

    @Test
    void aRenewedCertificateIsServedToNewConnectionsWhileOpenOnesCarryOn() throws Exception {
        try (TestServer server = start(Map.of("tls_reload_interval", "100ms"))) {
            HttpClient https = client(TestCertificates.clientContext(ca, null));
            BigInteger first = servedSerial(https, server);
            Frames alice = connect(https, server, "alice");
            alice.next(); // welcome

            Issued renewed = TestCertificates.server(ca, "RSA");
            renewed.writeChain(cert);
            renewed.writeKey(key);

            await().atMost(Duration.ofSeconds(10)).until(() -> servedSerial(client(TestCertificates.clientContext(ca,
                    null)), server).equals(renewed.serial()));
            assertThat(renewed.serial()).isNotEqualTo(first);
            // The connection made before the renewal still works both ways.
            Frames bob = connect(client(TestCertificates.clientContext(ca, null)), server, "bob");
            bob.next();
            alice.socket.sendText("{\"type\":\"room_message\",\"room_id\":\"general\",\"content\":\"still here\"}", true);
            assertThat(bob.until("still here")).contains("\"from\":\"alice\"");
        }
    }

    @Test
    void aHalfWrittenRenewalKeepsThePreviousCertificateUntilTheFilesAgree() throws Exception {
        try (TestServer server = start(Map.of("tls_reload_interval", "100ms"))) {
            HttpClient https = client(TestCertificates.clientContext(ca, null));
            BigInteger first = servedSerial(https, server);
            Issued renewed = TestCertificates.server(ca, "EC");

            renewed.writeChain(cert); // the certificate first, its key not yet
            // Several checks pass over the mismatched pair: the old certificate is still the one served.
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(servedSerial(client(TestCertificates.clientContext(ca, null)), server)).isEqualTo(first));

            renewed.writeKey(key);
            await().atMost(Duration.ofSeconds(10)).until(() -> servedSerial(client(TestCertificates.clientContext(ca,
                    null)), server).equals(renewed.serial()));
        }
    }

    @Test
    void aKeyFromAnotherPairStopsStartupNamingTheFile() {
        TestCertificates.server(ca, "EC").writeKey(key);

        assertThatThrownBy(() -> WebSocketService.create(ConfigLoader.load(null, Map.of(), settings(Map.of()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("websocket.tls_key_file")
                .hasMessageContaining(key.toString())
                .hasMessageContaining("not the key of the certificate");
    }

    @Test
    void aCertificateWithoutItsKeyIsAConfigurationError() {
        Map<String, String> certOnly = new HashMap<>(settings(Map.of()));
        certOnly.remove("tls_key_file");

        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), certOnly)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("websocket.tls_key_file: required when websocket.tls_cert_file is set");
    }

    @Test
    void anRsaKeyInPkcs1IsReadAsOpenSslWritesIt() throws Exception {
        Issued rsa = TestCertificates.server(ca, "RSA");
        rsa.writeChain(cert);
        rsa.writeTraditionalKey(key);
        assertThat(key).content().startsWith("-----BEGIN RSA PRIVATE KEY-----");

        try (TestServer server = start(Map.of())) {
            assertThat(servedSerial(client(TestCertificates.clientContext(ca, null)), server)).isEqualTo(rsa.serial());
        }
    }

    @Test
    void theInternalPortAsksForAClientCertificateSignedByTheClientCa() throws Exception {
        Issued operators = TestCertificates.authority("Relay Operators CA");
        Path clientCa = dir.resolve("client-ca.crt");
        operators.writeCertificate(clientCa);
        try (TestServer server = start(Map.of("internal_port", "0", "tls_client_ca", clientCa.toString()))) {
            int internal = server.service().internalAddress().orElseThrow().getPort();
            URI metrics = URI.create("https://127.0.0.1:" + internal + "/metrics");

            HttpClient withCertificate = client(TestCertificates.clientContext(ca,
                    TestCertificates.client(operators, "prometheus")));
            HttpResponse<String> scraped = withCertificate.send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scraped.statusCode()).isEqualTo(200);
            assertThat(scraped.body()).contains("relay_connections");

            HttpClient without = client(TestCertificates.clientContext(ca, null));
            assertThatThrownBy(() -> without.send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
            HttpClient otherCa = client(TestCertificates.clientContext(ca,
                    TestCertificates.client(TestCertificates.authority("Someone Else"), "intruder")));
            assertThatThrownBy(() -> otherCa.send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
            // The public port asks for no client certificate (health and metrics moved to the internal port).
            assertThat(without.send(request(server, "/ws/openapi.json"), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
        }
    }

    private Map<String, String> settings(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(Map.of("host", "127.0.0.1", "port", "0",
                "jwt_secret", TestServer.SECRET, "log_dir", "target/test-logs",
                "tls_cert_file", cert.toString(), "tls_key_file", key.toString()));
        settings.putAll(more);
        return settings;
    }

    private TestServer start(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(settings(more));
        settings.keySet().removeAll(List.of("host", "port", "jwt_secret", "log_dir"));
        return TestServer.start(settings);
    }

    private static HttpClient client(SSLContext context) {
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpRequest request(TestServer server, String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5)).build();
    }

    private static BigInteger servedSerial(HttpClient client, TestServer server) throws Exception {
        HttpResponse<String> response = client.send(request(server, "/health/live"), HttpResponse.BodyHandlers.ofString());
        return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    /** A wss:// connection and the text frames it received. */
    private record Frames(WebSocket socket, LinkedBlockingQueue<String> received) {
        String next() throws InterruptedException {
            String frame = received.poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("a frame within 10 s").isNotNull();
            return frame;
        }

        String until(String text) throws InterruptedException {
            for (int i = 0; i < 20; i++) {
                String frame = next();
                if (frame.contains(text)) {
                    return frame;
                }
            }
            throw new AssertionError("no frame with " + text);
        }
    }

    private static Frames connect(HttpClient client, TestServer server, String user) {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        String token = Tokens.signHmac(TestServer.SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256,
                Tokens.claims(user));
        try {
            WebSocket socket = client.newWebSocketBuilder().buildAsync(URI.create("wss://127.0.0.1:" + server.port()
                    + "/ws/connect?room_id=general&token=" + token), new WebSocket.Listener() {
                private final StringBuilder partial = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        received.add(partial.toString());
                        partial.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).join();
            return new Frames(socket, received);
        } catch (CompletionException e) {
            throw new AssertionError("wss connect failed", e);
        }
    }
}
