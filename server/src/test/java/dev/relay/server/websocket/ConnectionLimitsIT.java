package dev.relay.server.websocket;

import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Per-user and per-address limits before the upgrade, and client addresses behind trusted proxies. */
class ConnectionLimitsIT {
    private static RawWebSocket open(TestServer server, String user, Map<String, String> headers) throws IOException {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Authorization", "Bearer " + server.token(user));
        return RawWebSocket.open(server.port(), "/ws/connect", all);
    }

    private static int status(TestServer server, String user, Map<String, String> headers) throws IOException {
        try (RawWebSocket ws = open(server, user, headers)) {
            return ws.handshake().status();
        }
    }

    @Test
    void aUserAtTheLimitIsRefusedUntilAConnectionCloses() throws Exception {
        try (TestServer server = TestServer.start(Map.of("max_connections_per_user", "2"));
             RawWebSocket first = open(server, "alice", Map.of());
             RawWebSocket second = open(server, "alice", Map.of())) {
            assertThat(first.handshake().status()).isEqualTo(101);
            assertThat(second.handshake().status()).isEqualTo(101);
            try (RawWebSocket third = open(server, "alice", Map.of())) {
                assertThat(third.handshake().status()).isEqualTo(429);
                assertThat(third.handshake().json().path("error").path("code").asText()).isEqualTo("connection_limit");
            }
            assertThat(status(server, "bob", Map.of())).as("another user").isEqualTo(101);
            first.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> status(server, "alice", Map.of()) == 101);
        }
    }

    @Test
    void anAddressAtTheLimitIsRefusedWhateverTheUser() throws Exception {
        try (TestServer server = TestServer.start(Map.of("max_connections_per_ip", "1"));
             RawWebSocket first = open(server, "alice", Map.of())) {
            assertThat(first.handshake().status()).isEqualTo(101);
            assertThat(status(server, "bob", Map.of())).isEqualTo(429);
        }
    }

    @Test
    void newConnectionsPerMinuteAreLimitedPerAddressWithRetryAfter() throws Exception {
        try (TestServer server = TestServer.start(Map.of("max_connects_per_ip_per_minute", "3"))) {
            for (int i = 0; i < 3; i++) {
                assertThat(status(server, "user" + i, Map.of())).isEqualTo(101);
            }
            try (RawWebSocket refused = open(server, "late", Map.of())) {
                assertThat(refused.handshake().status()).isEqualTo(429);
                assertThat(refused.handshake().json().path("error").path("code").asText()).isEqualTo("rate_limited");
                assertThat(Integer.parseInt(refused.handshake().headers().get("retry-after"))).isBetween(1, 20);
            }
        }
    }

    @Test
    void forwardingHeadersCountOnlyFromTrustedProxies() throws Exception {
        Map<String, String> fromListedClient = Map.of("X-Forwarded-For", "203.0.113.7");
        try (TestServer untrusting = TestServer.start(Map.of("ip_blacklist", "203.0.113.7"))) {
            assertThat(status(untrusting, "alice", fromListedClient)).as("header ignored").isEqualTo(101);
        }
        try (TestServer trusting = TestServer.start(Map.of("ip_blacklist", "203.0.113.7",
                "trusted_proxies", "127.0.0.1/32,::1", "max_connections_per_ip", "1"))) {
            assertThat(status(trusting, "alice", fromListedClient)).as("blacklisted client").isEqualTo(403);
            assertThat(status(trusting, "alice", Map.of("Forwarded", "for=203.0.113.7"))).isEqualTo(403);
            assertThat(trusting.http().send(trusting.http().request("/ws/rooms", trusting.token("a"))
                    .header("X-Forwarded-For", "203.0.113.7").GET().build()).status()).as("REST too").isEqualTo(403);
            // Per-address limits see each client, not the proxy.
            try (RawWebSocket one = open(trusting, "a", Map.of("X-Forwarded-For", "198.51.100.1"));
                 RawWebSocket two = open(trusting, "b", Map.of("X-Forwarded-For", "198.51.100.2"));
                 RawWebSocket again = open(trusting, "c", Map.of("X-Forwarded-For", "198.51.100.1"))) {
                assertThat(one.handshake().status()).isEqualTo(101);
                assertThat(two.handshake().status()).isEqualTo(101);
                assertThat(again.handshake().status()).isEqualTo(429);
            }
        }
    }
}
