package dev.relay.bench.load;

import dev.relay.server.auth.TokenIssuer;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** HS256 tokens signed with the server's secret, one per user, made before the timed part of a run. */
final class Tokens {
    private final TokenIssuer issuer;
    private final Map<String, String> byUser = new HashMap<>();

    Tokens(String secret) {
        this.issuer = secret == null ? null : new TokenIssuer(secret, Clock.systemUTC());
    }

    String forUser(String userId) {
        if (issuer == null) {
            return "";
        }
        return byUser.computeIfAbsent(userId, user -> issuer.issue(user, null, List.of(), Duration.ofHours(2)));
    }

    String admin() {
        return issuer.issue("bench-admin", null, List.of("admin"), Duration.ofHours(1));
    }
}
