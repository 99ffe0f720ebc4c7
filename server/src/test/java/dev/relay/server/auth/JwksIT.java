package dev.relay.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.relay.server.testing.Tokens.claims;
import static dev.relay.server.testing.Tokens.upgradeStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Keys from a local JWKS endpoint: selection by kid, rotation, and refusal of HMAC tokens. */
class JwksIT {
    private final AtomicReference<JWKSet> published = new AtomicReference<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private HttpServer provider;

    @BeforeEach
    void startProvider() throws Exception {
        provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8); // public parts only
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        provider.start();
    }

    @AfterEach
    void stopProvider() {
        provider.stop(0);
    }

    private String jwksUrl() {
        return "http://127.0.0.1:" + provider.getAddress().getPort() + "/jwks.json";
    }

    @Test
    void tokensAreCheckedWithTheKeyTheirKidNamesAndARotatedKeyIsPickedUp() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("2026-11").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        published.set(new JWKSet(List.<JWK>of(first, ec)));
        try (TestServer server = TestServer.start(Map.of("jwt_jwks_url", jwksUrl(), "jwt_jwks_refresh", "1h"))) {
            assertThat(upgradeStatus(server, Tokens.sign(first, JWSAlgorithm.RS256, claims("alice")))).isEqualTo(101);
            assertThat(upgradeStatus(server, Tokens.sign(ec, JWSAlgorithm.ES256, claims("alice")))).isEqualTo(101);
            // An RSA algorithm naming the EC key's kid: refused, the key decides the family.
            RSAKey impostor = new RSAKeyGenerator(2048).keyID("ec-1").generate();
            assertThat(upgradeStatus(server, Tokens.sign(impostor, JWSAlgorithm.RS256, claims("m")))).isEqualTo(401);
            assertThat(upgradeStatus(server, Tokens.signHmac(TestServer.SECRET.getBytes(StandardCharsets.UTF_8),
                    JWSAlgorithm.HS256, claims("m")))).isEqualTo(401);

            // The provider rotates: a new key appears. The first token naming it triggers a fetch.
            RSAKey second = new RSAKeyGenerator(2048).keyID("2026-12").generate();
            published.set(new JWKSet(List.<JWK>of(first, second)));
            String rotated = Tokens.sign(second, JWSAlgorithm.RS256, claims("bob"));
            await().atMost(Duration.ofSeconds(5)).until(() -> upgradeStatus(server, rotated) == 101);
        }
    }

    @Test
    void unknownKidsDoNotMakeTheServerHammerTheProvider() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("only").generate();
        published.set(new JWKSet(key));
        try (TestServer server = TestServer.start(Map.of("jwt_jwks_url", jwksUrl(), "jwt_jwks_refresh", "1h"))) {
            int before = fetches.get();
            for (int i = 0; i < 20; i++) {
                RSAKey random = new RSAKeyGenerator(2048).keyID("random-" + i).generate();
                assertThat(upgradeStatus(server, Tokens.sign(random, JWSAlgorithm.RS256, claims("x")))).isEqualTo(401);
            }
            assertThat(fetches.get() - before).isLessThanOrEqualTo(2);
        }
    }
}
