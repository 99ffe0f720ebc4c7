package dev.relay.server.config;

import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How tokens are checked beyond the HMAC secret.
 *
 * @param clockSkew        how far {@code exp} and {@code nbf} may be off from this server's clock; zero is exact
 * @param issuer           the required {@code iss}; empty means not checked
 * @param audience         a value {@code aud} must contain; empty means not checked
 * @param publicKey        when set, tokens are RS/PS/ES-signed and checked with it; HMAC tokens are refused
 * @param jwksUrl          when set (and no public key is), keys come from this JWKS; HMAC tokens are refused
 * @param jwksRefresh      how often the JWKS is fetched again
 * @param maxTtl           the longest a token may be valid: {@code exp} at most this far after now and after {@code iat}
 * @param previousSecrets  former HMAC secrets still accepted (rotation); tokens are never signed with them
 */
public record JwtConfig(Duration clockSkew, Optional<String> issuer, Optional<String> audience,
                        Optional<PublicKey> publicKey, Optional<URI> jwksUrl, Duration jwksRefresh, Duration maxTtl,
                        List<String> previousSecrets) {
    public JwtConfig {
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(maxTtl, "maxTtl");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(jwksUrl, "jwksUrl");
        Objects.requireNonNull(jwksRefresh, "jwksRefresh");
        previousSecrets = List.copyOf(previousSecrets);
    }

    /** Whether tokens are asymmetric (public key or JWKS), in which case HMAC tokens are refused. */
    public boolean asymmetric() {
        return publicKey.isPresent() || jwksUrl.isPresent();
    }
}
