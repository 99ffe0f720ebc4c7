package dev.relay.server.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.config.IntegrationConfig;
import dev.relay.server.config.ProxyConfig;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code proxy_connect_url}: asks the backend whether an upgrade may connect, and as whom. The upgrade gate calls
 * {@link #decide} on its event loop and continues when the future completes (on the client's thread, so the gate
 * hops back to the loop); the decision is the backend's identity, its refusal, or "down".
 */
public final class ConnectProxy {
    static final String NAME = "connect";
    /**
     * Most upgrades waiting for the backend at once, on this node; past it an upgrade is refused with 503
     * {@code overloaded} at once, so a handshake flood cannot pile up calls (and held sockets) without end.
     */
    public static final int MAX_IN_FLIGHT = 1_000;

    /** What the backend decided. */
    public sealed interface Decision {
        /** Connect as {@code identity}; the session ends at {@code expiresAt} like a token's {@code exp}. */
        record Accepted(Identity identity, Instant expiresAt) implements Decision {
        }

        /** Refused before the upgrade: HTTP {@code status} (401 for {@code unauthorized}, else 403) and the code. */
        record Refused(int status, String code, String message) implements Decision {
        }

        /** No usable answer: refuse with {@code unavailable}, or, when {@link #failOpen()}, judge by the JWT. */
        record Unavailable(String reason) implements Decision {
        }
    }

    private final ProxyConfig config;
    private final boolean always;
    private final ProxyClient client;
    private final AtomicInteger inFlight = new AtomicInteger();

    ConnectProxy(ProxyConfig config, String mode, ProxyClient client) {
        this.config = config;
        this.always = IntegrationConfig.CONNECT_ALWAYS.equals(mode);
        this.client = client;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** True: the proxy decides every upgrade; false: only those without a valid JWT. */
    public boolean replacesJwt() {
        return always;
    }

    public boolean failOpen() {
        return config.failOpen();
    }

    /**
     * @param headers every header of the upgrade request (names in any case); only the allow-listed ones are sent
     * @param query   the query parameters, without {@code token}, which goes in its own field
     * @param token   the raw token of the request, or null
     * @throws ProtocolException {@code overloaded} when {@link #MAX_IN_FLIGHT} calls are waiting already
     */
    public CompletableFuture<Decision> decide(String clientId, String remoteAddr,
                                              Iterable<Map.Entry<String, String>> headers,
                                              Map<String, List<String>> query, String token) {
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            throw new ProtocolException(ErrorCode.OVERLOADED, MAX_IN_FLIGHT + " connections are already waiting for"
                    + " the connect proxy; retry later");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("client_id", clientId);
        body.put("remote_addr", remoteAddr);
        body.put("headers", Headers.allowed(headers, config.headers()));
        Map<String, Object> parameters = new LinkedHashMap<>();
        query.forEach((name, values) -> {
            if (!name.equals("token")) {
                parameters.put(name, values.size() == 1 ? values.getFirst() : values);
            }
        });
        body.put("query", parameters);
        body.put("token", token);
        return client.call(NAME, config, body).whenComplete((answer, failure) -> inFlight.decrementAndGet())
                .thenApply(ConnectProxy::decision);
    }

    private static Decision decision(ProxyAnswer answer) {
        return switch (answer) {
            case ProxyAnswer.Unavailable down -> new Decision.Unavailable(down.reason());
            case ProxyAnswer.Refused refused -> new Decision.Refused(
                    refused.code().equals("unauthorized") ? 401 : 403, refused.code(), refused.message());
            case ProxyAnswer.Result result -> accepted(result.result());
        };
    }

    private static Decision accepted(JsonNode result) {
        String userId = result.path("user_id").asText("");
        if (!result.isObject() || userId.isBlank()) {
            return new Decision.Unavailable("a result without user_id");
        }
        JsonNode expires = result.path("expires_at");
        if (!expires.isMissingNode() && !expires.isNull() && !expires.canConvertToLong()) {
            return new Decision.Unavailable("expires_at is not a number of seconds");
        }
        Instant expiresAt = expires.canConvertToLong() ? Instant.ofEpochSecond(expires.asLong()) : Instant.MAX;
        Identity identity = new Identity(userId, result.path("name").asText(null), strings(result.path("roles")),
                strings(result.path("rooms")));
        return new Decision.Accepted(identity, expiresAt);
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        array.forEach(item -> {
            if (item.isTextual() && !item.asText().isBlank()) {
                values.add(item.asText());
            }
        });
        return values;
    }
}
