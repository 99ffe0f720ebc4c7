package dev.relay.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.session.Identity;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks an HS256/384/512 token against the configured secret and turns its claims into an {@link Identity}.
 * Refuses unsigned tokens ({@code alg: none}), any other algorithm, a bad signature, a missing or past {@code exp},
 * a future {@code nbf} and a missing {@code sub}; each refusal says which, without echoing the token.
 */
public final class JwtVerifier {
    private static final Set<JWSAlgorithm> ACCEPTED = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);

    private final MACVerifier verifier;
    private final Clock clock;

    public JwtVerifier(String secret, Clock clock) {
        try {
            this.verifier = new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("jwt_secret is not usable as an HMAC key: " + e.getMessage(), e);
        }
        this.clock = clock;
    }

    public Identity verify(String token) {
        if (token == null || token.isBlank()) {
            throw refused("a token is required: send 'Authorization: Bearer <token>' or the 'token' query parameter");
        }
        JWT parsed;
        try {
            parsed = JWTParser.parse(token.strip());
        } catch (ParseException | RuntimeException e) {
            // nimbus throws NullPointerException, not ParseException, for a header that is the JSON literal null
            throw refused("the token is not a well-formed JWT");
        }
        if (!(parsed instanceof SignedJWT signed)) {
            throw refused("unsigned tokens (alg: none) are not accepted");
        }
        if (!ACCEPTED.contains(signed.getHeader().getAlgorithm())) {
            throw refused("token algorithm " + signed.getHeader().getAlgorithm()
                    + " is not accepted; use HS256, HS384 or HS512");
        }
        try {
            if (!signed.verify(verifier)) {
                throw refused("the token's signature does not match");
            }
            return identity(signed.getJWTClaimsSet());
        } catch (JOSEException | ParseException e) {
            throw refused("the token could not be verified");
        }
    }

    private Identity identity(JWTClaimsSet claims) throws ParseException {
        Date now = Date.from(clock.instant());
        Date expires = claims.getExpirationTime();
        if (expires == null) {
            throw refused("the token has no 'exp' claim; tokens must expire");
        }
        if (!now.before(expires)) {
            throw refused("the token has expired");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now.before(notBefore)) {
            throw refused("the token is not valid yet ('nbf' is in the future)");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw refused("the token has no 'sub' claim (the user id)");
        }
        String name = stringClaim(claims, "name");
        return new Identity(subject, name, roles(claims));
    }

    private static String stringClaim(JWTClaimsSet claims, String claim) {
        try {
            return claims.getStringClaim(claim);
        } catch (ParseException e) {
            throw refused("the token's '" + claim + "' claim must be a string");
        }
    }

    private static Set<String> roles(JWTClaimsSet claims) {
        if (claims.getClaim("roles") == null) {
            return Set.of();
        }
        List<String> roles;
        try {
            roles = claims.getStringListClaim("roles");
        } catch (ParseException e) {
            throw refused("the token's 'roles' claim must be an array of strings");
        }
        if (roles.contains(null)) { // nimbus lets null elements through; Identity's Set.copyOf would throw on them
            throw refused("the token's 'roles' claim must be an array of strings");
        }
        return new HashSet<>(roles);
    }

    private static ProtocolException refused(String why) {
        return new ProtocolException(ErrorCode.UNAUTHORIZED, why);
    }
}
