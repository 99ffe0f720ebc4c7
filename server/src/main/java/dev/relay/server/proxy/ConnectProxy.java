package dev.relay.server.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.config.IntegrationConfig;
import dev.relay.server.config.ProxyConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(ConnectProxy.class);
    static final String NAME = "connect";
    /**
     * Most upgrades waiting for the backend at once, on this node; past it an upgrade is refused with 503
     * {@code overloaded} at once, so a handshake flood cannot pile up calls (and held sockets) without end.
     */
    public static final int MAX_IN_FLIGHT = 1_000;
    /**
     * Largest {@code result.data} (as compact JSON, in bytes) the welcome carries as {@code connect_data}; a larger
     * one is left out (the connection is still accepted) and logged. Every welcome is held in memory per connection
     * until written, so the backend must not be able to make it arbitrarily large.
     */
    public static final int MAX_CONNECT_DATA_BYTES = 4_096;

    /** What the backend decided. */
    public sealed interface Decision {
        /**
         * Connect as {@code identity}; the session ends at {@code expiresAt} like a token's {@code exp}.
         * {@code connectData} (maps and lists, or null) is the backend's {@code data}, only ever passed on to the
         * client in its welcome: identity comes from {@code user_id}, {@code roles} and {@code rooms} alone.
         */
        record Accepted(Identity identity, Instant expiresAt, Object connectData) implements Decision {
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
    private final ObjectMapper mapper;
    private final int maxInFlight;
    private final int maxConnectDataBytes;
    private final AtomicInteger inFlight = new AtomicInteger();

    ConnectProxy(ProxyConfig config, String mode, ProxyClient client, ObjectMapper mapper) {
        this(config, mode, client, mapper, MAX_IN_FLIGHT, MAX_CONNECT_DATA_BYTES);
    }

    /** With other bounds than the production ones, so a test can reach them with a handful of calls. */
    ConnectProxy(ProxyConfig config, String mode, ProxyClient client, ObjectMapper mapper, int maxInFlight,
                 int maxConnectDataBytes) {
        this.config = config;
        this.always = IntegrationConfig.CONNECT_ALWAYS.equals(mode);
        this.client = client;
        this.mapper = mapper;
        this.maxInFlight = maxInFlight;
        this.maxConnectDataBytes = maxConnectDataBytes;
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
     * @throws ProtocolException {@code overloaded} when {@link #MAX_IN_FLIGHT} calls are waiting already (counted
     *                           as {@code relay_proxy_calls_total{proxy="connect",outcome="overloaded"}})
     */
    public CompletableFuture<Decision> decide(String clientId, String remoteAddr,
                                              Iterable<Map.Entry<String, String>> headers,
                                              Map<String, List<String>> query, String token) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            client.countUnsent(NAME, "overloaded");
            throw new ProtocolException(ErrorCode.OVERLOADED, maxInFlight + " connections are already waiting for"
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
                .thenApply(answer -> decision(answer, clientId));
    }

    private Decision decision(ProxyAnswer answer, String clientId) {
        return switch (answer) {
            case ProxyAnswer.Unavailable down -> new Decision.Unavailable(down.reason());
            case ProxyAnswer.Refused refused -> new Decision.Refused(
                    refused.code().equals("unauthorized") ? 401 : 403, refused.code(), refused.message());
            case ProxyAnswer.Result result -> accepted(result.result(), clientId);
        };
    }

    private Decision accepted(JsonNode result, String clientId) {
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
        return new Decision.Accepted(identity, expiresAt, connectData(result.path("data"), userId, clientId));
    }

    /**
     * The backend's {@code data} as plain maps and lists for the welcome, or null when there is none or it is larger
     * than {@link #MAX_CONNECT_DATA_BYTES} (logged: the backend should know its note did not reach the client).
     */
    private Object connectData(JsonNode data, String userId, String clientId) {
        if (data.isMissingNode() || data.isNull()) {
            return null;
        }
        int bytes;
        try {
            bytes = mapper.writeValueAsBytes(data).length;
        } catch (JsonProcessingException e) {
            return null; // a tree Jackson parsed always writes back; nothing to send if it somehow does not
        }
        if (bytes > maxConnectDataBytes) {
            LOG.warn("event=proxy_connect_data_dropped reason=too_large user={} client_id={} bytes={} limit={}",
                    userId, clientId, bytes, maxConnectDataBytes);
            return null;
        }
        return mapper.convertValue(data, Object.class);
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
