package dev.relay.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.relay.core.identity.Identity;
import dev.relay.core.identity.UserIds;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

import java.security.PublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a token and turns its claims into an {@link Identity}. The keys come from a {@link KeyResolver}: the HMAC
 * secret, a configured public key or a JWKS, each accepting only its own algorithms. Refuses unsigned tokens
 * ({@code alg: none}), other algorithms, a bad signature, a missing {@code exp}, an {@code exp} in the past or an
 * {@code nbf} in the future by more than the clock skew, a wrong {@code iss} or {@code aud} when those are
 * configured, and a missing {@code sub}; each refusal says which, without echoing the token.
 */
public final class JwtVerifier {
    /** A token that passed every check, and when it stops being valid (skew not included). */
    public record Verified(Identity identity, Instant expiresAt, Set<String> rooms) {
    }

    /**
     * What beyond the signature a token must satisfy; empty optionals mean "not checked".
     *
     * @param maxTtl the longest a token may be valid: {@code exp} at most this far after now (plus the skew) and,
     *               when it has one, after its {@code iat}
     */
    public record Rules(Duration clockSkew, Optional<String> issuer, Optional<String> audience, Duration maxTtl) {
        public static final Rules DEFAULT = new Rules(Duration.ofSeconds(30), Optional.empty(), Optional.empty(),
                Duration.ofHours(24));
    }

    /** 9999-12-31T23:59:59Z: past it a time claim is not a time (and multiplied into milliseconds it overflows). */
    private static final long LATEST_EPOCH_SECOND = 253_402_300_799L;
    private static final List<String> TIME_CLAIMS = List.of("exp", "nbf", "iat");

    /** Keys and rules together, replaced whole by a configuration reload ({@link #adopt}). */
    private record State(KeyResolver keys, Rules rules) {
    }

    private volatile State state;
    private final Clock clock;

    /** HMAC tokens with the secret, the default rules: what tests and the token command use. */
    public JwtVerifier(String secret, Clock clock) {
        this(new HmacKeys(secret), Rules.DEFAULT, clock);
    }

    JwtVerifier(KeyResolver keys, Rules rules, Clock clock) {
        this.state = new State(keys, rules);
        this.clock = clock;
    }

    /**
     * From the next token on, the keys and rules of {@code other}: a rotated secret, a new public key or JWKS, other
     * issuer or audience. Connections already open keep the identity their token gave them.
     */
    public void adopt(JwtVerifier other) {
        this.state = other.state;
    }

    public static JwtVerifier hmac(String secret, Rules rules, Clock clock) {
        return new JwtVerifier(new HmacKeys(secret), rules, clock);
    }

    /** HMAC with the current secret and, during a rotation, the former ones. */
    public static JwtVerifier hmac(String secret, List<String> previousSecrets, Rules rules, Clock clock) {
        return new JwtVerifier(new HmacKeys(secret, previousSecrets), rules, clock);
    }

    public static JwtVerifier publicKey(PublicKey key, Rules rules, Clock clock) {
        return new JwtVerifier(new PublicKeys(key), rules, clock);
    }

    public static JwtVerifier jwks(JwksKeys jwks, Rules rules, Clock clock) {
        return new JwtVerifier(jwks, rules, clock);
    }

    /** How far past {@code exp} a token is still accepted; live connections get the same grace. */
    public Duration clockSkew() {
        return state.rules().clockSkew();
    }

    public Identity verify(String token) {
        return check(token).identity();
    }

    public Verified check(String token) {
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
        State current = state; // one token, one set of keys and rules, even across a reload
        JWSVerifier verifier = current.keys().verifierFor(signed.getHeader());
        try {
            if (!signed.verify(verifier)) {
                throw refused("the token's signature does not match");
            }
            requireTimesInRange(signed.getPayload().toJSONObject());
            return verified(signed.getJWTClaimsSet(), current.rules());
        } catch (JOSEException | ParseException e) {
            throw refused("the token could not be verified");
        }
    }

    private Verified verified(JWTClaimsSet claims, Rules rules) {
        Instant now = clock.instant();
        Date expires = claims.getExpirationTime();
        if (expires == null) {
            throw refused("the token has no 'exp' claim; tokens must expire");
        }
        if (!now.isBefore(expires.toInstant().plus(rules.clockSkew()))) {
            throw refused("the token has expired");
        }
        Instant latest = now.plus(rules.maxTtl()).plus(rules.clockSkew());
        if (expires.toInstant().isAfter(latest)) {
            throw refused("the token's 'exp' is further ahead than this server allows (jwt_max_ttl)");
        }
        Date issued = claims.getIssueTime();
        if (issued != null && issued.toInstant().isAfter(now.plus(rules.clockSkew()))) {
            throw refused("the token was issued in the future ('iat')");
        }
        if (issued != null && Duration.between(issued.toInstant(), expires.toInstant()).compareTo(rules.maxTtl()) > 0) {
            throw refused("the token's lifetime from 'iat' to 'exp' is longer than this server allows (jwt_max_ttl)");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now.isBefore(notBefore.toInstant().minus(rules.clockSkew()))) {
            throw refused("the token is not valid yet ('nbf' is in the future)");
        }
        rules.issuer().ifPresent(issuer -> {
            if (!issuer.equals(claims.getIssuer())) {
                throw refused("the token's 'iss' is not the configured issuer");
            }
        });
        rules.audience().ifPresent(audience -> {
            List<String> audiences = claims.getAudience();
            if (audiences == null || !audiences.contains(audience)) {
                throw refused("the token's 'aud' does not include this server ('" + audience + "')");
            }
        });
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw refused("the token has no 'sub' claim (the user id)");
        }
        if (!UserIds.isValid(subject)) {
            throw refused("the token's 'sub' is not a valid user id: " + UserIds.RULE);
        }
        if (UserIds.isReserved(subject)) {
            throw refused("the token's 'sub' is reserved for the server ('system' and ids starting with 'ip:')");
        }
        String name = stringClaim(claims, "name");
        Set<String> rooms = stringSet(claims, "rooms");
        Identity identity = new Identity(subject, name, stringSet(claims, "roles"), rooms);
        return new Verified(identity, expires.toInstant(), rooms);
    }

    /**
     * The time claims as sent, before nimbus multiplies them into milliseconds: a negative or huge {@code exp}
     * overflows there and could land anywhere, even in the next hour.
     */
    private static void requireTimesInRange(Map<String, Object> payload) {
        if (payload == null) {
            return; // not a claims object: refused when the claims are read
        }
        for (String claim : TIME_CLAIMS) {
            Object value = payload.get(claim);
            if (value == null) {
                continue;
            }
            if (!(value instanceof Number number) || number.doubleValue() < 0
                    || number.doubleValue() > LATEST_EPOCH_SECOND) {
                throw refused("the token's '" + claim + "' is not a time (seconds since 1970, up to the year 9999)");
            }
        }
    }

    private static String stringClaim(JWTClaimsSet claims, String claim) {
        try {
            return claims.getStringClaim(claim);
        } catch (ParseException e) {
            throw refused("the token's '" + claim + "' claim must be a string");
        }
    }

    private static Set<String> stringSet(JWTClaimsSet claims, String claim) {
        if (claims.getClaim(claim) == null) {
            return Set.of();
        }
        try {
            // Set.copyOf throws on the null elements nimbus lets through, which is a malformed claim too.
            return Set.copyOf(new HashSet<>(claims.getStringListClaim(claim)));
        } catch (ParseException | NullPointerException e) {
            throw refused("the token's '" + claim + "' claim must be an array of strings");
        }
    }

    static ProtocolException refused(String why) {
        return new ProtocolException(ErrorCode.UNAUTHORIZED, why);
    }
}
