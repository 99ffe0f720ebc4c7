package dev.relay.server.web;

import org.junit.jupiter.api.Test;

import java.util.Map;

/**
 * The protocols other clients already speak, with their own unmodified npm clients ({@code src/test/js/protocols}):
 * {@code @stomp/stompjs} at {@code /ws/stomp} and {@code socket.io-client} at {@code /socket.io/}, beside Relay's
 * own WebSocket clients in the same rooms.
 */
class ProtocolsIT {
    @Test
    void stompJsTalksWithRelayClients() throws Exception {
        try (NodeTests node = NodeTests.start(Map.of(
                "max_message_length", "50",
                "max_message_size", "2KiB",
                "ping_period", "2s",
                "pong_wait", "1s",
                "enable_rate_limit", "false"))) {
            node.run(Map.of(), "protocols/stomp.test.mjs");
        }
    }

    @Test
    void socketIoClientTalksWithRelayClients() throws Exception {
        try (NodeTests node = NodeTests.start(Map.of(
                "max_message_length", "50",
                "max_message_size", "2KiB",
                "ping_period", "2s",
                "pong_wait", "1s",
                "max_connections_per_user", "2",
                "enable_rate_limit", "false"))) {
            node.run(Map.of(), "protocols/socketio.test.mjs");
        }
    }
}
