package dev.relay.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JwtVerifierTest {
    /** 64 bytes: long enough for nimbus to sign HS512 (which needs 512 bits) as well as HS256 and HS384. */
    private static final String SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final String OTHER_SECRET = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    /** A whole second: JWT times are whole seconds, so exp == now can be expressed exactly. */
    private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
    private static final Duration MAX_TTL = Duration.ofHours(24);
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final JwtVerifier verifier = strict(SECRET, CLOCK);

    // ---- accepted tokens -------------------------------------------------------------------------------------

    @Test
    void issuedTokenVerifiesIntoItsIdentity() {
        String token = new TokenIssuer(SECRET, CLOCK).issue("alice", "Alice A.", List.of("admin", "ops"),
                Duration.ofHours(1));

        Identity identity = verifier.verify(token);

        assertThat(identity.userId()).isEqualTo("alice");
        assertThat(identity.name()).isEqualTo("Alice A.");
        assertThat(identity.roles()).containsExactlyInAnyOrder("admin", "ops");
        assertThat(identity.isAdmin()).isTrue();
    }

    @Test
    void issuedTokenWithoutNameOrRolesDefaultsTheNameToTheUserIdAndIsNotAdmin() {
        String token = new TokenIssuer(SECRET, CLOCK).issue("bob", null, List.of(), Duration.ofMinutes(5));

        Identity identity = verifier.verify(token);

        assertThat(identity.userId()).isEqualTo("bob");
        assertThat(identity.name()).isEqualTo("bob");
        assertThat(identity.roles()).isEmpty();
        assertThat(identity.isAdmin()).isFalse();
    }

    @Test
    void blankNameInTheTokenAlsoDefaultsToTheUserId() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.claim("name", "  ")));

        assertThat(verifier.verify(token).name()).isEqualTo("user-1");
    }

    @Test
    void rolesWithoutAdminAreNotAdmin() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.claim("roles", List.of("ops", "Admin"))));

        Identity identity = verifier.verify(token);

        assertThat(identity.roles()).containsExactlyInAnyOrder("ops", "Admin");
        assertThat(identity.isAdmin()).isFalse();
    }

    @Test
    void issuedTokenIsHs256() throws Exception {
        String token = new TokenIssuer(SECRET, CLOCK).issue("alice", null, List.of(), Duration.ofHours(1));

        assertThat(SignedJWT.parse(token).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512"})
    void hmacTokensOfEverySizeSignedWithTheSecretAreAccepted(String algorithm) {
        String token = hmac(JWSAlgorithm.parse(algorithm), SECRET, claims(b -> b.claim("roles", List.of("admin"))));

        Identity identity = verifier.verify(token);

        assertThat(identity.userId()).isEqualTo("user-1");
        assertThat(identity.isAdmin()).isTrue();
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b));

        assertThat(verifier.verify("  " + token + "\n").userId()).isEqualTo("user-1");
    }

    // ---- algorithm and signature -----------------------------------------------------------------------------

    @Test
    void rs256IsRefusedEvenWithAValidSignature() throws JOSEException {
        RSAKey key = new RSAKeyGenerator(2048).generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims(b -> b));
        jwt.sign(new RSASSASigner(key));
        String token = jwt.serialize();

        assertRefused(token, "RS256");
    }

    @Test
    void unsignedTokenIsRefusedAsAlgNone() {
        String token = new PlainJWT(claims(b -> b)).serialize();

        assertRefused(token, "alg: none");
    }

    @Test
    void algNoneHeaderWithASignaturePartIsRefused() {
        String header = Base64URL.encode("{\"alg\":\"none\"}").toString();
        String payload = Base64URL.encode(claims(b -> b).toString()).toString();
        String signature = Base64URL.encode("forged").toString();

        assertRefused(header + "." + payload + "." + signature, "");
    }

    @Test
    void capitalisedNoneIsNotMistakenForAnHmacAlgorithm() {
        String header = Base64URL.encode("{\"alg\":\"None\"}").toString();
        String payload = Base64URL.encode(claims(b -> b).toString()).toString();

        assertRefused(header + "." + payload + "." + Base64URL.encode("x"), "");
    }

    @Test
    void tokenSignedWithAnotherSecretIsRefused() {
        String token = new TokenIssuer(OTHER_SECRET, CLOCK).issue("alice", null, List.of(), Duration.ofHours(1));

        assertRefused(token, "signature");
    }

    @Test
    void tamperedPayloadIsRefused() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b));
        String[] parts = token.split("\\.");
        String forged = Base64URL.encode(claims(b -> b.claim("roles", List.of("admin"))).toString()).toString();

        assertRefused(parts[0] + "." + forged + "." + parts[2], "signature");
    }

    // ---- time ------------------------------------------------------------------------------------------------

    @Test
    void tokenWithoutExpIsRefused() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.expirationTime(null)));

        assertRefused(token, "'exp'");
    }

    @Test
    void tokenExpiringExactlyNowIsRefused() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.expirationTime(Date.from(NOW))));

        assertRefused(token, "expired");
    }

    @Test
    void tokenExpiringOneSecondFromNowIsAccepted() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.expirationTime(Date.from(NOW.plusSeconds(1)))));

        assertThat(verifier.verify(token).userId()).isEqualTo("user-1");
    }

    @Test
    void issuedTokenExpiresWithItsTtl() {
        String token = new TokenIssuer(SECRET, CLOCK).issue("alice", null, List.of(), Duration.ofSeconds(60));

        assertThatCode(() -> strict(SECRET, Clock.fixed(NOW.plusSeconds(59), ZoneOffset.UTC)).verify(token))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> strict(SECRET, Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC))
                .verify(token))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void tokenNotValidUntilOneSecondFromNowIsRefused() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.notBeforeTime(Date.from(NOW.plusSeconds(1)))));

        assertRefused(token, "'nbf'");
    }

    @Test
    void tokenValidFromNowIsAccepted() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.notBeforeTime(Date.from(NOW))));

        assertThat(verifier.verify(token).userId()).isEqualTo("user-1");
    }

    // ---- lifetime (jwt_max_ttl) -----------------------------------------------------------------------------

    @Test
    void expExactlyTheLongestLifetimeAheadIsAcceptedAndOneSecondMoreIsNot() {
        String longest = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.issueTime(null)
                .expirationTime(Date.from(NOW.plus(MAX_TTL)))));
        String tooLong = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.issueTime(null)
                .expirationTime(Date.from(NOW.plus(MAX_TTL).plusSeconds(1)))));

        assertThat(verifier.verify(longest).userId()).isEqualTo("user-1");
        assertRefused(tooLong, "jwt_max_ttl");
    }

    @Test
    void aTokenValidForYearsIsRefused() {
        assertRefused(hmacRawClaims("{\"sub\":\"user-1\",\"exp\":253402300799}"), "jwt_max_ttl");
    }

    @Test
    void aLifetimeFromIatLongerThanTheLongestIsRefusedEvenWhenLittleIsLeft() {
        String exact = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b
                .issueTime(Date.from(NOW.minus(MAX_TTL).plusSeconds(60))).expirationTime(Date.from(NOW.plusSeconds(60)))));
        String longer = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.issueTime(Date.from(NOW.minus(MAX_TTL)))
                .expirationTime(Date.from(NOW.plusSeconds(1)))));

        assertThat(verifier.verify(exact).userId()).isEqualTo("user-1");
        assertRefused(longer, "'iat'");
    }

    @Test
    void anIatInTheFutureIsRefusedAndNowIsAccepted() {
        String future = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.issueTime(Date.from(NOW.plusSeconds(1)))));
        String now = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.issueTime(Date.from(NOW))));

        assertRefused(future, "'iat'");
        assertThat(verifier.verify(now).userId()).isEqualTo("user-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-9223372036854775808", "-9223372036854771", "-1", "9223372036854775807", "1e300",
            "253402300800"})
    void anExpThatIsNoTimeIsRefusedRatherThanOverflowed(String exp) {
        assertRefused(hmacRawClaims("{\"sub\":\"user-1\",\"exp\":" + exp + "}"), "'exp'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nbf", "iat"})
    void otherTimeClaimsThatAreNoTimeAreRefused(String claim) {
        assertRefused(hmacRawClaims("{\"sub\":\"user-1\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + ",\""
                + claim + "\":-9223372036854775808}"), "'" + claim + "'");
    }

    // ---- claims ----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"system", "System", "SYSTEM", "ip:127.0.0.1", "IP:10.0.0.1"})
    void idsTheServerUsesItselfAreRefused(String subject) {
        assertRefused(hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.subject(subject))), "reserved");
    }

    @ParameterizedTest
    @ValueSource(strings = {"systems", "my-system", "ipv6-fan", "ip"})
    void idsThatMerelyResembleReservedOnesAreAccepted(String subject) {
        assertThat(verifier.verify(hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.subject(subject)))).userId())
                .isEqualTo(subject);
    }

    @Test
    void tokenWithoutSubIsRefused() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.subject(null)));

        assertRefused(token, "'sub'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void tokenWithBlankSubIsRefused(String subject) {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.subject(subject)));

        assertRefused(token, "'sub'");
    }

    @Test
    void numericSubIsReadAsItsDecimalText() {
        // nimbus reads a numeric sub as its text; the token is signed with our secret, so this is a user id we issued.
        String token = hmacRawClaims("{\"sub\":42,\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}");

        assertThat(verifier.verify(token).userId()).isEqualTo("42");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"id\":1}", "[\"user-1\"]", "true"})
    void subThatIsNeitherTextNorNumberIsRefused(String sub) {
        String token = hmacRawClaims("{\"sub\":" + sub + ",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}");

        assertRefused(token, "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "\"claims\"", "42", "{", ""})
    void signedPayloadThatIsNotAClaimsObjectIsRefused(String payload) {
        assertRefused(hmacRawClaims(payload), "");
    }

    @Test
    void tokenWhoseExpIsNotANumberIsRefused() {
        String token = hmacRawClaims("{\"sub\":\"user-1\",\"exp\":\"tomorrow\"}");

        assertRefused(token, "");
    }

    @Test
    void rolesAsASingleStringAreRefused() {
        assertRefused(hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.claim("roles", "admin"))), "'roles'");
    }

    @Test
    void rolesContainingANumberAreRefused() {
        assertRefused(hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.claim("roles", List.of("admin", 7)))),
                "'roles'");
    }

    @Test
    void rolesAsAnObjectAreRefused() {
        assertRefused(hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.claim("roles", Map.of("admin", true)))),
                "'roles'");
    }

    @Test
    void rolesContainingNullAreRefused() {
        String token = hmacRawClaims("{\"sub\":\"user-1\",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond()
                + ",\"roles\":[\"admin\",null]}");

        assertRefused(token, "'roles'");
    }

    @Test
    void nullRolesMeanNoRoles() {
        String token = hmacRawClaims("{\"sub\":\"user-1\",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond()
                + ",\"roles\":null}");

        assertThat(verifier.verify(token).roles()).isEqualTo(Set.of());
    }

    @Test
    void emptyRolesMeanNoRoles() {
        String token = hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.claim("roles", List.of())));

        assertThat(verifier.verify(token).roles()).isEmpty();
    }

    @Test
    void nameThatIsNotAStringIsRefused() {
        assertRefused(hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.claim("name", 42))), "'name'");
        assertRefused(hmac(JWSAlgorithm.HS256, SECRET, claims(b -> b.claim("name", List.of("a")))), "'name'");
    }

    // ---- not a token at all ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"garbage-token-text", "garbage.token.text", "a.b", "eyJhbGciOiJIUzI1NiJ9",
            "eyJhbGciOiJIUzI1NiJ9.e30", "eyJhbGciOiJIUzI1NiJ9..", "W10.e30.c2ln", "bnVsbA.e30.c2ln",
            "e30.e30.c2ln", "eyJhbGciOjF9.e30.c2ln", "Bearer garbage-token-text", "%%%.%%%.%%%"})
    void garbageIsRefused(String token) {
        assertRefused(token, "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n"})
    void emptyOrBlankTokenIsRefused(String token) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED))
                .hasMessageContaining("token is required");
    }

    @Test
    void nullTokenIsRefused() {
        assertThatThrownBy(() -> verifier.verify(null))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED))
                .hasMessageContaining("token is required");
    }

    // ---- secrets ---------------------------------------------------------------------------------------------

    @Test
    void secretShorterThan256BitsIsRefusedAndOneOf256BitsIsAccepted() {
        String bits256 = SECRET.substring(0, 32);

        assertThatThrownBy(() -> strict(bits256.substring(1), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jwt_secret");
        assertThatThrownBy(() -> new TokenIssuer(bits256.substring(1), CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jwt_secret");

        String token = new TokenIssuer(bits256, CLOCK).issue("alice", null, List.of(), Duration.ofHours(1));
        assertThat(strict(bits256, CLOCK).verify(token).userId()).isEqualTo("alice");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Refused as unauthorized, with {@code why} in the message and without the token in it. */
    private void assertRefused(String token, String why) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
                    assertThat(e.getMessage()).contains(why).doesNotContain(token.strip());
                    for (String part : token.strip().split("\\.")) {
                        if (part.length() >= 8) {
                            assertThat(e.getMessage()).doesNotContain(part);
                        }
                    }
                });
    }

    /** Valid claims for user-1, expiring in an hour, changed by {@code change}. */
    private static JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .subject("user-1")
                .issueTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plusSeconds(3600)));
        return change.apply(builder).build();
    }

    private static String hmac(JWSAlgorithm algorithm, String secret, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    /** An HS256 token over exactly this claims JSON, for claims the nimbus builder would not write. */
    private static String hmacRawClaims(String json) {
        try {
            com.nimbusds.jose.JWSObject jws = new com.nimbusds.jose.JWSObject(new JWSHeader(JWSAlgorithm.HS256),
                    new Payload(json));
            jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    /** No clock skew, so the boundaries here are exact (the skew has tests of its own). */
    private static JwtVerifier strict(String secret, Clock clock) {
        return JwtVerifier.hmac(secret, new JwtVerifier.Rules(java.time.Duration.ZERO, java.util.Optional.empty(),
                java.util.Optional.empty(), MAX_TTL), clock);
    }
}
