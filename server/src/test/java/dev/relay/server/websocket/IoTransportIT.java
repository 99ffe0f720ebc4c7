package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The same room traffic over each I/O transport this machine can load, over real sockets. */
class IoTransportIT {
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void roomMessagesSmallAndLargeReachEveryMemberInOrder(String transport) {
        IoTransport wanted = IoTransport.valueOf(transport.toUpperCase(java.util.Locale.ROOT));
        assumeTrue(wanted.unavailability().isEmpty(), () -> transport + " does not load here: "
                + wanted.unavailability().orElseThrow());
        try (TestServer server = TestServer.start(Map.of("transport", transport, "enable_rate_limit", "false",
                "max_message_length", "2000"));
             WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            assertThat(server.service().ioTransport()).isEqualTo(transport);
            alice.awaitType("user_joined", "general");
            bob.awaitType("user_joined", "general");

            // Small frames share one buffer per event loop, frames over 1 KiB go out as they are; both in order.
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String content = i % 5 == 4 ? "large-" + i + "-" + "x".repeat(1500) : "small-" + i;
                sent.add(content);
                alice.send(Map.of("type", "room_message", "room_id", "general", "content", content));
            }

            for (WsClient member : new WsClient[]{alice, bob}) {
                List<String> received = new ArrayList<>();
                while (received.size() < sent.size()) {
                    JsonNode message = member.awaitType("room_message", "general");
                    received.add(message.path("content").asText());
                }
                assertThat(received).containsExactlyElementsOf(sent);
            }
        }
    }
}
