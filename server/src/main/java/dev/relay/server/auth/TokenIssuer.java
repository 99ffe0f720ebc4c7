package dev.relay.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Signs HS256 tokens with the configured secret: what {@code wsserver token} prints. */
public final class TokenIssuer {
    private final MACSigner signer;
    private final Clock clock;

    public TokenIssuer(String secret, Clock clock) {
        try {
            this.signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("jwt_secret is not usable as an HMAC key: " + e.getMessage(), e);
        }
        this.clock = clock;
    }

    /**
     * @param name  display name, or null
     * @param roles roles such as {@code admin}; may be empty or null
     * @param ttl   how long the token is valid
     */
    public String issue(String userId, String name, List<String> roles, Duration ttl) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(userId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        if (name != null && !name.isBlank()) {
            claims.claim("name", name);
        }
        if (roles != null && !roles.isEmpty()) {
            claims.claim("roles", List.copyOf(roles));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a token", e);
        }
        return jwt.serialize();
    }
}
