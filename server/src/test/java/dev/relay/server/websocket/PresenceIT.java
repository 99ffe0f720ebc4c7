package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** User status over the socket, presence events, and the member and user endpoints. */
class PresenceIT {

    @Test
    void aChosenStatusReachesTheUsersRoomsAndTheApi() {
        try (TestServer server = TestServer.start();
             WsClient watcher = server.connect("watcher", "support");
             WsClient other = server.connect("bystander", "announcements");
             WsClient user = server.connect("ana", "general")) {
            watcher.awaitType("user_joined");
            user.send(Map.of("type", "join_room", "room_id", "support"));
            user.awaitType("joined");
            assertThat(watcher.awaitType("user_joined").path("data").path("user_id").asText()).isEqualTo("ana");

            user.send(Map.of("type", "status", "content", "busy", "id", "s1"));
            JsonNode reply = user.awaitType("status");
            assertThat(reply.path("data").path("status").asText()).isEqualTo("busy");
            assertThat(reply.path("data").path("ref").asText()).isEqualTo("s1");
            JsonNode presence = watcher.awaitType("presence");
            assertThat(presence.path("room_id").asText()).isEqualTo("support");
            assertThat(presence.path("data").path("user_id").asText()).isEqualTo("ana");
            assertThat(presence.path("data").path("status").asText()).isEqualTo("busy");
            other.expectNothingPendingExcept("user_joined");

            String token = server.token("watcher");
            Http.Response ana = server.http().get("/ws/users/ana", token);
            assertThat(ana.status()).isEqualTo(200);
            assertThat(ana.data().path("status").asText()).isEqualTo("busy");
            assertThat(ana.data().path("connections").asInt()).isEqualTo(1);
            assertThat(ana.data().path("rooms")).extracting(JsonNode::asText).containsExactly("general", "support");

            Http.Response members = server.http().get("/ws/rooms/support/members", token);
            assertThat(members.status()).isEqualTo(200);
            assertThat(members.data().path("total").asInt()).isEqualTo(2);
            JsonNode first = members.data().path("members").get(0);
            assertThat(first.path("user_id").asText()).isEqualTo("watcher");
            assertThat(first.path("status").asText()).isEqualTo("online");
            assertThat(first.path("connections").asInt()).isEqualTo(1);
            assertThat(first.path("joined_at").asText()).endsWith("Z");
            assertThat(members.data().path("members").get(1).path("status").asText()).isEqualTo("busy");

            user.send(Map.of("type", "status", "content", "offline", "id", "s2"));
            assertThat(user.awaitType("error").path("data").path("code").asText()).isEqualTo("invalid_field");

            user.close();
            assertThat(watcher.awaitType("user_left").path("data").path("user_id").asText()).isEqualTo("ana");
            assertThat(watcher.awaitType("presence").path("data").path("status").asText()).isEqualTo("offline");
            Http.Response gone = server.http().get("/ws/users/ana", token);
            assertThat(gone.data().path("status").asText()).isEqualTo("offline");
            assertThat(gone.data().path("connections").asInt()).isZero();

            assertThat(server.http().get("/ws/rooms/atlantis/members", token).status()).isEqualTo(404);
        }
    }
}
