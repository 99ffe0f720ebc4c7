package dev.relay.server.http;

import com.nimbusds.jose.JWSAlgorithm;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.Tokens;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Role-based permissions from the configuration, and private rooms, over WebSocket and REST. */
class PermissionsIT {
    @Test
    void configuredRolesDecideWhoCreatesRoomsBroadcastsAndSendsPrivateMessages() {
        try (TestServer server = TestServer.start(Map.of("create_room_roles", "admin,moderator",
                "broadcast_roles", "moderator", "private_message_roles", "verified"))) {
            Http http = server.http();
            assertThat(http.post("/ws/rooms", server.token("mod", "moderator"), "{\"id\":\"modroom\"}").status())
                    .isEqualTo(201);
            Http.Response refused = http.post("/ws/rooms", server.token("pleb"), "{\"id\":\"plebroom\"}");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body().path("error").path("message").asText()).contains("admin or moderator");

            try (WsClient mod = server.connect("mod", "general", "moderator");
                 WsClient admin = server.connect("root", "general", "admin");
                 WsClient verified = server.connect("vera", "general", "verified");
                 WsClient pleb = server.connect("pleb", "general")) {
                mod.send(Map.of("type", "broadcast", "content", "hello all"));
                assertThat(pleb.awaitType("broadcast").path("content").asText()).isEqualTo("hello all");
                admin.send(Map.of("type", "broadcast", "content", "admins are not listed"));
                assertThat(admin.awaitType("error").path("data").path("code").asText()).isEqualTo("forbidden");

                pleb.send(Map.of("type", "private_message", "to", "vera", "content", "hi"));
                assertThat(pleb.awaitType("error").path("data").path("code").asText()).isEqualTo("forbidden");
                verified.send(Map.of("type", "private_message", "to", "pleb", "content", "hi pleb"));
                assertThat(pleb.awaitType("private_message").path("content").asText()).isEqualTo("hi pleb");
                assertThat(http.post("/ws/messages", server.token("pleb"),
                        "{\"type\":\"private_message\",\"to\":\"vera\",\"content\":\"x\"}").status()).isEqualTo(403);
            }
        }
    }

    @Test
    void privateRoomsAdmitOnlyMembersTheCreatorAdminsAndTokensThatGrantThem() throws Exception {
        try (TestServer server = TestServer.start()) {
            Http http = server.http();
            Http.Response created = http.post("/ws/rooms", server.adminToken("boss"),
                    "{\"id\":\"staff\",\"private\":true,\"members\":[\"alice\"]}");
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.data().path("private").asBoolean()).isTrue();

            // Before the upgrade: members in, others 404 as for a room that does not exist.
            assertThat(Tokens.upgradeStatusIn(server, "staff", server.token("alice"))).isEqualTo(101);
            assertThat(Tokens.upgradeStatusIn(server, "staff", server.token("mallory"))).isEqualTo(404);
            String granted = Tokens.signHmac(TestServer.SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256,
                    Tokens.claims("guest", Instant.now().plusSeconds(600), b -> b.claim("rooms", List.of("staff"))));
            assertThat(Tokens.upgradeStatusIn(server, "staff", granted)).as("rooms claim").isEqualTo(101);

            try (WsClient mallory = server.connect("mallory", "general")) {
                mallory.send(Map.of("type", "join_room", "room_id", "staff"));
                assertThat(mallory.awaitType("error").path("data").path("code").asText()).isEqualTo("room_not_found");
                mallory.send(Map.of("type", "resume", "room_id", "staff", "data", Map.of("since", 0, "epoch", "x")));
                assertThat(mallory.awaitType("error").path("data").path("code").asText()).isEqualTo("room_not_found");
            }
            try (WsClient alice = server.connect("alice", "general")) {
                alice.send(Map.of("type", "join_room", "room_id", "staff"));
                alice.awaitType("joined");
            }
            String mallory = server.token("mallory");
            assertThat(http.get("/ws/rooms", mallory).body().path("data").path("rooms").toString())
                    .doesNotContain("staff");
            assertThat(http.get("/ws/rooms", server.token("alice")).body().path("data").path("rooms").toString())
                    .contains("staff");
            assertThat(http.get("/ws/rooms/staff/members", mallory).status()).isEqualTo(404);
            assertThat(http.post("/ws/rooms/staff/join", mallory, "").status()).isEqualTo(404);
            assertThat(http.post("/ws/messages", mallory,
                    "{\"type\":\"room_message\",\"room_id\":\"staff\",\"content\":\"x\"}").status()).isEqualTo(404);
            assertThat(http.get("/ws/rooms/staff/members", server.token("boss")).status()).as("creator").isEqualTo(200);
            try (WsClient alice = server.connect("alice", "staff")) {
                assertThat(http.get("/ws/users/alice", mallory).body().toString()).doesNotContain("staff");
                assertThat(http.get("/ws/stats", mallory).body().toString()).doesNotContain("staff");
                assertThat(http.get("/ws/users/alice", server.token("alice")).body().toString()).contains("staff");
            }
        }
    }

    @Test
    void aPrivateRoomLooksExactlyLikeAMissingOneToOutsiders() throws Exception {
        try (TestServer server = TestServer.start()) {
            assertThat(server.http().post("/ws/rooms", server.adminToken("boss"),
                    "{\"id\":\"staff\",\"private\":true,\"members\":[\"alice\"]}").status()).isEqualTo(201);

            assertThat(probe(server, "staff")).isEqualTo(probe(server, "nosuch"))
                    .allMatch(answer -> !answer.contains("private") && !answer.contains("forbidden"));
        }
    }

    /** Everything an outsider can ask about a room, REST and WebSocket, with the room id taken out of the answers. */
    private static List<String> probe(TestServer server, String roomId) throws Exception {
        Http http = server.http();
        String mallory = server.token("mallory");
        List<Http.Response> rest = List.of(http.get("/ws/rooms/" + roomId + "/members", mallory),
                http.post("/ws/rooms/" + roomId + "/join", mallory, ""),
                http.post("/ws/rooms/" + roomId + "/leave", mallory, ""),
                http.get("/ws/rooms/" + roomId + "/messages", mallory),
                http.post("/ws/messages", mallory,
                        "{\"type\":\"room_message\",\"room_id\":\"" + roomId + "\",\"content\":\"x\"}"));
        List<String> answers = new java.util.ArrayList<>();
        for (Http.Response response : rest) {
            answers.add(response.status() + " " + response.body());
        }
        try (RawWebSocket upgrade = RawWebSocket.open(server.port(), "/ws/connect?room_id=" + roomId + "&token="
                + mallory, Map.of())) {
            answers.add(upgrade.handshake().status() + " " + upgrade.handshake().body());
        }
        try (WsClient ws = server.connect("mallory", "general")) {
            for (Map<String, Object> message : List.<Map<String, Object>>of(
                    Map.of("type", "join_room", "room_id", roomId, "id", "a"),
                    Map.of("type", "leave_room", "room_id", roomId, "id", "b"),
                    Map.of("type", "resume", "room_id", roomId, "id", "c", "data", Map.of("since", 0, "epoch", "x")),
                    Map.of("type", "room_message", "room_id", roomId, "id", "d", "content", "x"))) {
                ws.send(message);
                answers.add(ws.awaitType("error").path("data").toString());
            }
        }
        return answers.stream().map(answer -> answer.replace(roomId, "ROOM")).toList();
    }

    @Test
    void aRefusedCreateChangesNeitherTheAccessListNorTheMembersOfTheExistingRoom() throws Exception {
        try (TestServer server = TestServer.start(Map.of("create_room_roles", "admin,moderator"))) {
            Http http = server.http();
            assertThat(http.post("/ws/rooms", server.token("owner", "moderator"),
                    "{\"id\":\"board\",\"private\":true,\"members\":[\"alice\"]}").status()).isEqualTo(201);
            try (WsClient alice = server.connect("alice", "board");
                 WsClient bob = server.connect("bob", "general")) {
                String membersBefore = http.get("/ws/rooms/board/members", server.adminToken("root")).data()
                        .toString();

                Http.Response takeover = http.post("/ws/rooms", server.token("intruder", "moderator"),
                        "{\"id\":\"board\",\"private\":true,\"members\":[\"intruder\"]}");
                assertThat(takeover.status()).isEqualTo(409);
                assertThat(takeover.body().path("error").path("code").asText()).isEqualTo("room_exists");
                Http.Response lockout = http.post("/ws/rooms", server.adminToken("root"),
                        "{\"id\":\"general\",\"private\":true,\"members\":[\"me\"]}");
                assertThat(lockout.status()).isEqualTo(409);

                // The private room: its members and who may enter are as before, over REST and WebSocket.
                assertThat(http.get("/ws/rooms/board/members", server.adminToken("root")).data().toString())
                        .isEqualTo(membersBefore);
                // The intruder is kept out, and answered as if the room did not exist.
                assertThat(http.get("/ws/rooms/board/members", server.token("intruder")).status()).isEqualTo(404);
                assertThat(Tokens.upgradeStatusIn(server, "board", server.token("intruder"))).isEqualTo(404);
                assertThat(Tokens.upgradeStatusIn(server, "board", server.token("alice"))).isEqualTo(101);
                alice.send(Map.of("type", "room_message", "room_id", "board", "content", "still ours"));
                alice.awaitType("room_message");
                // The public room stays public.
                assertThat(Tokens.upgradeStatusIn(server, "general", server.token("carol"))).isEqualTo(101);
                bob.send(Map.of("type", "room_message", "room_id", "general", "content", "still open"));
                assertThat(bob.awaitType("room_message").path("content").asText()).isEqualTo("still open");
                try (WsClient intruder = server.connect("intruder", "general")) {
                    intruder.send(Map.of("type", "join_room", "room_id", "board"));
                    assertThat(intruder.awaitType("error").path("data").path("code").asText())
                            .isEqualTo("room_not_found");
                }
            }
        }
    }

    @Test
    void deletingARoomNeedsTheRoleAndMovesItsMembersOut() {
        try (TestServer server = TestServer.start(Map.of("delete_room_roles", "moderator"))) {
            Http http = server.http();
            assertThat(http.post("/ws/rooms", server.adminToken("boss"), "{\"id\":\"temp\"}").status()).isEqualTo(201);
            try (WsClient member = server.connect("alice", "temp")) {
                assertThat(http.send("DELETE", "/ws/rooms/temp", server.adminToken("boss"), null).status())
                        .as("admin is not in delete_room_roles here").isEqualTo(403);
                Http.Response deleted = http.send("DELETE", "/ws/rooms/temp", server.token("mod", "moderator"), null);
                assertThat(deleted.status()).isEqualTo(200);
                assertThat(deleted.data().path("connections").asInt()).isEqualTo(1);
                assertThat(member.awaitType("room_closed").path("data").path("by").asText()).isEqualTo("mod");
                assertThat(http.get("/ws/rooms", server.token("x")).body().toString()).doesNotContain("\"temp\"");
                assertThat(http.send("DELETE", "/ws/rooms/general", server.token("mod", "moderator"), null).status())
                        .as("default room").isEqualTo(403);
                assertThat(http.send("DELETE", "/ws/rooms/temp", server.token("mod", "moderator"), null).status())
                        .isEqualTo(404);
            }
        }
    }
}
