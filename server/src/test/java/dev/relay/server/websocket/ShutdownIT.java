package dev.relay.server.websocket;

import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Stopping the server tells clients to reconnect and closes them with 1001. */
class ShutdownIT {

    @Test
    void stoppingSendsReconnectThenClosesWith1001() {
        TestServer server = TestServer.start(Map.of("shutdown_timeout", "5s"));
        WsClient first = server.connect("a", "general");
        WsClient second = server.connect("b", "support");
        server.close();
        for (WsClient client : new WsClient[]{first, second}) {
            assertThat(client.awaitType("reconnect").path("content").asText()).contains("reconnect");
            WsClient.Closed closed = client.awaitClose();
            assertThat(closed.code()).isEqualTo(1001);
        }
        assertThat(server.service().hub().queries().connections()).isZero();
    }
}
