package dev.relay.server.websocket;

import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** allowed_origins patterns at the handshake. */
class OriginPatternIT {
    @Test
    void subdomainsOfAnAllowedPatternConnectAndOthersGet403() throws Exception {
        try (TestServer server = TestServer.start(Map.of("allowed_origins", "https://*.example.com"))) {
            assertThat(status(server, "https://chat.example.com")).isEqualTo(101);
            assertThat(status(server, "https://example.com")).isEqualTo(403);
            assertThat(status(server, "https://chat.example.com.evil.net")).isEqualTo(403);
            assertThat(status(server, "http://chat.example.com")).isEqualTo(403);
        }
    }

    @Test
    void theSchemeOfAnAllowedOriginIsPartOfIt() throws Exception {
        try (TestServer server = TestServer.start(Map.of("allowed_origins", "https://app.example.com"))) {
            assertThat(status(server, "https://app.example.com")).isEqualTo(101);
            assertThat(status(server, "http://app.example.com")).isEqualTo(403);
            assertThat(status(server, "http://app.example.com:443")).isEqualTo(403);
        }
        try (TestServer sameOrigin = TestServer.start(Map.of())) {
            String host = "127.0.0.1:" + sameOrigin.port();
            assertThat(status(sameOrigin, "http://" + host)).isEqualTo(101);
            assertThat(status(sameOrigin, "chrome-extension://" + host)).as("not a web page").isEqualTo(403);
        }
    }

    @Test
    void aBadPatternStopsStartup() {
        assertThatThrownBy(() -> TestServer.start(Map.of("allowed_origins", "*.com")))
                .hasMessageContaining("websocket.allowed_origins");
    }

    private static int status(TestServer server, String origin) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/connect?token=" + server.token("u"),
                Map.of("Origin", origin))) {
            return ws.handshake().status();
        }
    }
}
