package dev.relay.server.config;

import dev.relay.server.access.Cidr;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may connect and how often they may send.
 *
 * @param jwtSecret          HS256 secret, at least 32 bytes; empty when the server should generate one
 * @param enableOriginCheck  whether browser requests (those with an Origin header) are checked
 * @param allowedOrigins     lower-case origins such as {@code https://app.example.com}, or {@code *} for any;
 *                           empty means the Origin must match the request's Host
 * @param enableIpWhitelist  whether only {@code ipWhitelist} may connect
 * @param ipWhitelist        blocks allowed when the whitelist is on
 * @param ipBlacklist        blocks always refused
 * @param enableRateLimit    whether {@code rateLimitPerMinute} applies
 * @param rateLimitPerMinute messages per minute per connection
 * @param jwt                how tokens are checked beyond the secret: skew, issuer, audience, public keys
 */
public record SecurityConfig(Optional<String> jwtSecret, boolean enableOriginCheck, List<String> allowedOrigins,
                             boolean enableIpWhitelist, List<Cidr> ipWhitelist, List<Cidr> ipBlacklist,
                             boolean enableRateLimit, int rateLimitPerMinute, JwtConfig jwt) {
    public SecurityConfig {
        Objects.requireNonNull(jwtSecret, "jwtSecret");
        allowedOrigins = List.copyOf(allowedOrigins);
        ipWhitelist = List.copyOf(ipWhitelist);
        ipBlacklist = List.copyOf(ipBlacklist);
        Objects.requireNonNull(jwt, "jwt");
    }

    /** Like the generated one, but without the secret: configurations get logged. */
    @Override
    public String toString() {
        return "SecurityConfig[jwtSecret=" + jwtSecret.map(s -> "<hidden>").orElse("<unset>")
                + ", enableOriginCheck=" + enableOriginCheck + ", allowedOrigins=" + allowedOrigins
                + ", enableIpWhitelist=" + enableIpWhitelist + ", ipWhitelist=" + ipWhitelist
                + ", ipBlacklist=" + ipBlacklist + ", enableRateLimit=" + enableRateLimit
                + ", rateLimitPerMinute=" + rateLimitPerMinute + ", jwt=" + jwt + "]";
    }
}
