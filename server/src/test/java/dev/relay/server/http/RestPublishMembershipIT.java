package dev.relay.server.http;

import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /ws/messages follows the user's membership: joined and not left is enough, no live connection needed. */
class RestPublishMembershipIT {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aMemberWithNoConnectionPostsAndAfterLeavingMayNot() {
        Http http = server.http();
        String dora = server.token("dora");
        try (WsClient listener = server.connect("lena", "support")) {
            assertThat(http.post("/ws/rooms/support/join", dora, "").status()).isEqualTo(200);

            Http.Response sent = http.post("/ws/messages", dora,
                    "{\"type\":\"room_message\",\"content\":\"from afar\",\"room_id\":\"support\"}");
            assertThat(sent.status()).isEqualTo(200);
            assertThat(sent.data().path("seq").asLong()).isPositive();
            assertThat(listener.awaitType("room_message").path("from").asText()).isEqualTo("dora");

            assertThat(http.post("/ws/rooms/support/leave", dora, "").status()).isEqualTo(200);
            Http.Response refused = http.post("/ws/messages", dora,
                    "{\"type\":\"room_message\",\"content\":\"gone\",\"room_id\":\"support\"}");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.errorCode()).isEqualTo("not_member");
        }
    }
}
