package dev.relay.server.web;

import dev.relay.core.testing.ExternalService;
import dev.relay.server.cluster.RedisKeys;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code socket.io-client} and {@code @stomp/stompjs} in a two-node cluster on the real Redis
 * ({@code src/test/js/protocols/cluster.test.mjs}): clients of each protocol on different nodes share rooms and
 * private messages with Relay's own clients.
 */
class ProtocolsClusterIT {
    @Test
    void socketIoAndStompAcrossTwoNodes() throws Exception {
        ExternalService.REDIS.assumeAvailable();
        String prefix = RedisKeys.freshPrefix();
        Map<String, String> cluster = Map.of("engine", "redis", "redis_url",
                RedisKeys.url(ExternalService.REDIS.port()), "redis_key_prefix", prefix, "enable_rate_limit", "false");
        try (NodeTests a = NodeTests.start(node(cluster, "a"));
             TestServer b = TestServer.start(node(cluster, "b"))) {
            a.run(Map.of("RELAY_HTTP_B", "http://127.0.0.1:" + b.port()), "protocols/cluster.test.mjs");
        } finally {
            RedisKeys.delete(prefix);
        }
    }

    private static Map<String, String> node(Map<String, String> cluster, String id) {
        Map<String, String> settings = new HashMap<>(cluster);
        settings.put("node_id", id);
        return settings;
    }
}
