package dev.relay.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.relay.server.testing.Tokens.claims;
import static dev.relay.server.testing.Tokens.refusal;
import static dev.relay.server.testing.Tokens.upgradeStatus;
import static org.assertj.core.api.Assertions.assertThat;

/** Public keys, algorithm confusion, clock skew, issuer and audience, over real upgrades. */
class JwtHardeningIT {
    private static final byte[] SECRET = TestServer.SECRET.getBytes(StandardCharsets.UTF_8);

    @Test
    void rs256TokensAreCheckedWithAnInlinePublicKeyAndHmacTokensAreRefused() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("k1").generate();
        try (TestServer server = TestServer.start(Map.of("jwt_public_key", PemKeys.toPem(rsa.toPublicKey())))) {
            assertThat(upgradeStatus(server, Tokens.sign(rsa, JWSAlgorithm.RS256, claims("alice")))).isEqualTo(101);
            assertThat(upgradeStatus(server, Tokens.sign(rsa, JWSAlgorithm.PS256, claims("alice")))).isEqualTo(101);
            // Signed with the server's own jwt_secret: still refused once a public key is configured.
            String hmac = Tokens.signHmac(SECRET, JWSAlgorithm.HS256, claims("mallory"));
            assertThat(upgradeStatus(server, hmac)).isEqualTo(401);
            assertThat(refusal(server, hmac)).contains("HS256 is not accepted");
            // The classic confusion: the public key's bytes used as an HMAC secret.
            String confused = Tokens.signHmac(PemKeys.toPem(rsa.toPublicKey()).getBytes(StandardCharsets.UTF_8),
                    JWSAlgorithm.HS256, claims("mallory"));
            assertThat(upgradeStatus(server, confused)).isEqualTo(401);
            // Signed by another RSA key.
            RSAKey other = new RSAKeyGenerator(2048).keyID("k1").generate();
            assertThat(upgradeStatus(server, Tokens.sign(other, JWSAlgorithm.RS256, claims("mallory")))).isEqualTo(401);
        }
    }

    @Test
    void es256TokensAreCheckedWithAPublicKeyFileAndRsaTokensAreRefused(@TempDir Path dir) throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
        Path pem = Files.writeString(dir.resolve("jwt.pub.pem"), PemKeys.toPem(ec.toPublicKey()));
        try (TestServer server = TestServer.start(Map.of("jwt_public_key", pem.toString()))) {
            assertThat(upgradeStatus(server, Tokens.sign(ec, JWSAlgorithm.ES256, claims("bob")))).isEqualTo(101);
            RSAKey rsa = new RSAKeyGenerator(2048).generate();
            assertThat(upgradeStatus(server, Tokens.sign(rsa, JWSAlgorithm.RS256, claims("bob")))).isEqualTo(401);
            assertThat(upgradeStatus(server, Tokens.signHmac(SECRET, JWSAlgorithm.HS256, claims("bob"))))
                    .isEqualTo(401);
        }
    }

    @Test
    void withOnlyASecretAsymmetricTokensAreRefused() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).generate();
        try (TestServer server = TestServer.start()) {
            assertThat(upgradeStatus(server, Tokens.signHmac(SECRET, JWSAlgorithm.HS256, claims("carol"))))
                    .isEqualTo(101);
            String token = Tokens.sign(rsa, JWSAlgorithm.RS256, claims("carol"));
            assertThat(upgradeStatus(server, token)).isEqualTo(401);
            assertThat(refusal(server, token)).contains("RS256 is not accepted");
        }
    }

    @Test
    void aTokenWithoutExpIsRefusedWhateverItsAlgorithm() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
        try (TestServer server = TestServer.start(Map.of("jwt_public_key", PemKeys.toPem(ec.toPublicKey())))) {
            String token = Tokens.sign(ec, JWSAlgorithm.ES256, claims("dave", null, b -> b));
            assertThat(upgradeStatus(server, token)).isEqualTo(401);
            assertThat(refusal(server, token)).contains("'exp'");
        }
    }

    @Test
    void clockSkewForgivesASlightlyExpiredTokenButNotAnOldOne() throws Exception {
        Instant now = Instant.now();
        String justExpired = Tokens.signHmac(SECRET, JWSAlgorithm.HS256, claims("eve", now.minusSeconds(10), b -> b));
        String longExpired = Tokens.signHmac(SECRET, JWSAlgorithm.HS256, claims("eve", now.minusSeconds(40), b -> b));
        String notYet = Tokens.signHmac(SECRET, JWSAlgorithm.HS256,
                claims("eve", now.plusSeconds(600), b -> b.notBeforeTime(java.util.Date.from(now.plusSeconds(10)))));
        try (TestServer server = TestServer.start()) {
            assertThat(upgradeStatus(server, justExpired)).isEqualTo(101);
            assertThat(upgradeStatus(server, notYet)).isEqualTo(101);
            assertThat(upgradeStatus(server, longExpired)).isEqualTo(401);
        }
        try (TestServer strict = TestServer.start(Map.of("jwt_clock_skew", "0s"))) {
            assertThat(upgradeStatus(strict, justExpired)).isEqualTo(401);
            assertThat(upgradeStatus(strict, notYet)).isEqualTo(401);
        }
    }

    @Test
    void issuerAndAudienceAreCheckedWhenConfigured() throws Exception {
        try (TestServer server = TestServer.start(Map.of("jwt_issuer", "https://auth.example.com/",
                "jwt_audience", "relay"))) {
            String right = Tokens.signHmac(SECRET, JWSAlgorithm.HS256, claims("frank", Instant.now().plusSeconds(600),
                    b -> b.issuer("https://auth.example.com/").audience(List.of("other", "relay"))));
            String wrongIssuer = Tokens.signHmac(SECRET, JWSAlgorithm.HS256, claims("frank",
                    Instant.now().plusSeconds(600), b -> b.issuer("https://evil.example.com/").audience("relay")));
            String wrongAudience = Tokens.signHmac(SECRET, JWSAlgorithm.HS256, claims("frank",
                    Instant.now().plusSeconds(600), b -> b.issuer("https://auth.example.com/").audience("billing")));
            String neither = Tokens.signHmac(SECRET, JWSAlgorithm.HS256, claims("frank"));
            assertThat(upgradeStatus(server, right)).isEqualTo(101);
            assertThat(upgradeStatus(server, wrongIssuer)).isEqualTo(401);
            assertThat(refusal(server, wrongIssuer)).contains("'iss'");
            assertThat(upgradeStatus(server, wrongAudience)).isEqualTo(401);
            assertThat(refusal(server, wrongAudience)).contains("'aud'");
            assertThat(upgradeStatus(server, neither)).isEqualTo(401);
        }
    }
}
