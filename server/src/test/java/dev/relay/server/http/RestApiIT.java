package dev.relay.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed's REST API, each endpoint and each error, through a real HTTP client. */
class RestApiIT {
    private static TestServer server;
    private static Http http;
    private static String admin;
    private static String user;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("max_rooms", "6", "max_message_size", "2048"));
        http = server.http();
        admin = server.adminToken("ops");
        user = server.token("dana");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyApiCallNeedsAToken() {
        for (String path : new String[]{"/ws/rooms", "/ws/users/online", "/ws/stats"}) {
            Http.Response response = http.get(path, null);
            assertThat(response.status()).as(path).isEqualTo(401);
            assertThat(response.body().path("success").asBoolean(true)).isFalse();
            assertThat(response.errorCode()).isEqualTo("unauthorized");
            assertThat(response.body().path("error").path("message").asText()).isNotBlank();
        }
        assertThat(http.post("/ws/messages", "garbage", "{}").status()).isEqualTo(401);
        assertThat(http.get("/ws/rooms?token=" + user, null).status()).isEqualTo(200);
    }

    @Test
    void listsRoomsInTheSeedsShape() {
        Http.Response response = http.get("/ws/rooms", user);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().path("success").asBoolean()).isTrue();
        JsonNode data = response.data();
        assertThat(data.path("total").asInt()).isEqualTo(data.path("rooms").size());
        JsonNode general = findRoom(data, "general");
        assertThat(general.path("name").asText()).isEqualTo("General");
        assertThat(general.path("description").asText()).isEqualTo("通用聊天室");
        assertThat(general.has("client_count")).isTrue();
        assertThat(general.has("message_count")).isTrue();
        assertThat(general.path("created_at").asText()).endsWith("Z");
    }

    @Test
    void adminsCreateRoomsOthersMayNot() {
        Http.Response created = http.post("/ws/rooms", admin,
                "{\"id\":\"tech-support\",\"name\":\"技术支持\",\"description\":\"技术问题讨论\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.data().path("id").asText()).isEqualTo("tech-support");
        assertThat(created.data().path("name").asText()).isEqualTo("技术支持");
        assertThat(findRoom(http.get("/ws/rooms", user).data(), "tech-support").path("description").asText())
                .isEqualTo("技术问题讨论");

        assertThat(http.post("/ws/rooms", admin, "{\"id\":\"tech-support\"}").errorCode()).isEqualTo("room_exists");
        assertThat(http.post("/ws/rooms", admin, "{\"id\":\"tech-support\"}").status()).isEqualTo(409);
        Http.Response forbidden = http.post("/ws/rooms", user, "{\"id\":\"mine\"}");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.errorCode()).isEqualTo("forbidden");
        Http.Response invalid = http.post("/ws/rooms", admin, "{\"id\":\"no spaces\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.errorCode()).isEqualTo("invalid_room_id");
        assertThat(http.post("/ws/rooms", admin, "{\"name\":\"no id\"}").status()).isEqualTo(400);
        assertThat(http.post("/ws/rooms", admin, "not json").errorCode()).isEqualTo("invalid_json");
    }

    @Test
    void theRoomLimitStopsCreationAtMaxRooms() {
        try (TestServer small = TestServer.start(Map.of("max_rooms", "4"))) {
            String token = small.adminToken("ops");
            assertThat(small.http().post("/ws/rooms", token, "{\"id\":\"fourth\"}").status()).isEqualTo(201);
            Http.Response full = small.http().post("/ws/rooms", token, "{\"id\":\"fifth\"}");
            assertThat(full.status()).isEqualTo(409);
            assertThat(full.errorCode()).isEqualTo("room_limit_reached");
        }
        try (TestServer unlimited = TestServer.start(Map.of("max_rooms", "3", "enable_room_limit", "false"))) {
            assertThat(unlimited.http().post("/ws/rooms", unlimited.adminToken("ops"), "{\"id\":\"fourth\"}").status())
                    .isEqualTo(201);
        }
    }

    @Test
    void joinAndLeaveMoveEveryLiveConnectionOfTheUser() {
        try (WsClient watcher = server.connect("erin-watcher", "support");
             WsClient tab1 = server.connect("erin", "general");
             WsClient tab2 = server.connect("erin", "general")) {
            watcher.awaitType("user_joined");
            String erin = server.token("erin");
            Http.Response joined = http.post("/ws/rooms/support/join", erin, "");
            assertThat(joined.status()).isEqualTo(200);
            assertThat(joined.data().path("connections").asInt()).isEqualTo(2);
            assertThat(joined.data().path("room_id").asText()).isEqualTo("support");
            // Whichever tab enters first announces the user; a member of the room sees it once.
            assertThat(watcher.awaitType("user_joined").path("data").path("user_id").asText()).isEqualTo("erin");
            // Each tab is told it was moved; no ref, as it did not ask.
            assertThat(tab1.awaitType("joined", "support").path("data").has("ref")).isFalse();
            assertThat(tab2.awaitType("joined", "support").path("data").has("ref")).isFalse();

            tab2.send(Map.of("type", "room_message", "room_id", "support", "content", "both tabs are here"));
            assertThat(tab1.awaitType("room_message").path("content").asText()).isEqualTo("both tabs are here");

            Http.Response left = http.post("/ws/rooms/support/leave", erin, "");
            assertThat(left.data().path("connections").asInt()).isEqualTo(2);
            assertThat(watcher.awaitType("user_left").path("data").path("user_id").asText()).isEqualTo("erin");
            tab1.awaitType("left", "support");
            tab1.send(Map.of("type", "room_message", "room_id", "support", "content", "gone?"));
            assertThat(tab1.awaitType("error").path("data").path("code").asText()).isEqualTo("not_member");

            Http.Response unknown = http.post("/ws/rooms/atlantis/join", erin, "");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.errorCode()).isEqualTo("room_not_found");
            Http.Response invalid = http.post("/ws/rooms/bad%20id/leave", erin, "");
            assertThat(invalid.status()).isEqualTo(400);
            assertThat(invalid.errorCode()).isEqualTo("invalid_room_id");
        }
    }

    @Test
    void joiningWithNoLiveConnectionMakesTheUserAMemberWhoseNextConnectionIsInTheRoom() {
        assertThat(http.post("/ws/rooms", admin, "{\"id\":\"reading-club\"}").status()).isEqualTo(201);
        String gus = server.token("gus");

        Http.Response joined = http.post("/ws/rooms/reading-club/join", gus, "");
        assertThat(joined.status()).isEqualTo(200);
        assertThat(joined.data().path("connections").asInt()).as("no connection to move").isZero();
        assertThat(joined.data().path("user_id").asText()).isEqualTo("gus");

        try (WsClient host = server.connect("gus-host", "reading-club");
             WsClient tab = server.connect("gus", "general")) {
            assertThat(tab.awaitType("joined", "reading-club").path("data").has("ref")).isFalse();
            assertThat(host.awaitType("user_joined").path("data").path("user_id").asText()).isEqualTo("gus-host");
            assertThat(host.awaitType("user_joined").path("data").path("user_id").asText()).isEqualTo("gus");
            host.send(Map.of("type", "room_message", "room_id", "reading-club", "content", "chapter 3 tonight"));
            assertThat(tab.awaitType("room_message", "reading-club").path("content").asText())
                    .isEqualTo("chapter 3 tonight");
            assertThat(http.get("/ws/rooms/reading-club/members", gus).data().path("total").asInt()).isEqualTo(2);
        }

        assertThat(http.post("/ws/rooms/reading-club/leave", gus, "").status()).isEqualTo(200);
        try (WsClient tab = server.connect("gus", "general")) {
            tab.expectNothingPendingExcept("user_joined", "user_left", "presence");
        }
    }

    @Test
    void postingMessagesFollowsTheSameRulesAsTheSocket() {
        try (WsClient listener = server.connect("frank", "general")) {
            listener.awaitType("user_joined");
            String frank = server.token("frank");
            Http.Response sent = http.post("/ws/messages", frank,
                    "{\"type\":\"room_message\",\"content\":\"大家好！\",\"room_id\":\"general\",\"data\":{\"emoji\":\"👋\"}}");
            assertThat(sent.status()).isEqualTo(200);
            String id = sent.data().path("id").asText();
            JsonNode received = listener.awaitType("room_message");
            assertThat(received.path("id").asText()).isEqualTo(id);
            assertThat(received.path("from").asText()).isEqualTo("frank");
            assertThat(received.path("data").path("emoji").asText()).isEqualTo("👋");

            Http.Response notMember = http.post("/ws/messages", server.token("ghost"),
                    "{\"type\":\"room_message\",\"content\":\"boo\",\"room_id\":\"general\"}");
            assertThat(notMember.status()).isEqualTo(403);
            assertThat(notMember.errorCode()).isEqualTo("not_member");

            Http.Response announcement = http.post("/ws/messages", admin,
                    "{\"type\":\"room_message\",\"content\":\"from ops\",\"room_id\":\"general\"}");
            assertThat(announcement.status()).isEqualTo(200);
            assertThat(listener.awaitType("room_message").path("from").asText()).isEqualTo("ops");

            Http.Response broadcastRefused = http.post("/ws/messages", frank, "{\"type\":\"broadcast\",\"content\":\"x\"}");
            assertThat(broadcastRefused.status()).isEqualTo(403);
            Http.Response broadcast = http.post("/ws/messages", admin, "{\"type\":\"broadcast\",\"content\":\"all\"}");
            assertThat(broadcast.status()).isEqualTo(200);
            assertThat(listener.awaitType("broadcast").path("content").asText()).isEqualTo("all");

            Http.Response direct = http.post("/ws/messages", admin,
                    "{\"type\":\"private_message\",\"content\":\"hi frank\",\"to\":\"frank\"}");
            assertThat(direct.status()).isEqualTo(200);
            assertThat(listener.awaitType("private_message").path("content").asText()).isEqualTo("hi frank");

            Http.Response offline = http.post("/ws/messages", admin,
                    "{\"type\":\"private_message\",\"content\":\"x\",\"to\":\"nobody\"}");
            assertThat(offline.status()).as("held for when nobody connects").isEqualTo(200);
            assertThat(offline.data().path("stored_offline").asBoolean()).isTrue();
            assertThat(direct.data().has("stored_offline")).as("delivered at once").isFalse();

            assertThat(http.post("/ws/messages", frank, "{\"type\":\"join_room\",\"room_id\":\"x\"}").errorCode())
                    .isEqualTo("unknown_type");
            assertThat(http.post("/ws/messages", frank, "{broken").errorCode()).isEqualTo("invalid_json");
            Http.Response noContent = http.post("/ws/messages", frank, "{\"type\":\"room_message\",\"room_id\":\"general\"}");
            assertThat(noContent.status()).isEqualTo(400);
            assertThat(noContent.errorCode()).isEqualTo("missing_field");
        }
    }

    @Test
    void messageBodiesAreLimitedByMaxMessageSize() {
        Http.Response atLimit = http.post("/ws/messages", admin, bodyOfBytes(2048));
        assertThat(atLimit.status()).isEqualTo(200);
        Http.Response tooLarge = http.post("/ws/messages", admin, bodyOfBytes(2049));
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.errorCode()).isEqualTo("payload_too_large");
    }

    @Test
    void aCompressedBodyIsRefusedNotInflated() throws Exception {
        java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(gzipped)) {
            gzip.write(bodyOfBytes(1024 * 1024).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(gzipped.size()).as("a mebibyte that fits the body limit once compressed").isLessThan(2048);
        try (WsClient listener = server.connect("gzip-listener", "general")) {
            for (String encoding : new String[] {"gzip", "deflate"}) {
                Http.Response refused = http.send(http.request("/ws/messages", admin)
                        .header("Content-Type", "application/json").header("Content-Encoding", encoding)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray())).build());
                assertThat(refused.status()).isEqualTo(400);
                assertThat(refused.errorCode()).isEqualTo("invalid_json");
                assertThat(refused.body().path("error").path("message").asText()).contains("Content-Encoding");
            }
            assertThat(listener.drain(java.time.Duration.ofMillis(300)))
                    .noneMatch(message -> message.toString().contains("room_message"));
        }
    }

    /** A room message to general whose JSON body is exactly {@code bytes} long. */
    private static String bodyOfBytes(int bytes) {
        String prefix = "{\"type\":\"room_message\",\"room_id\":\"general\",\"content\":\"x\",\"data\":{\"p\":\"";
        String suffix = "\"}}";
        String body = prefix + "p".repeat(bytes - prefix.length() - suffix.length()) + suffix;
        assertThat(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(bytes);
        return body;
    }

    @Test
    void onlineUsersCountsDistinctUsers() {
        // A server of its own: connections other tests close may still be going away on the shared one.
        try (TestServer own = TestServer.start()) {
            String token = own.token("counter");
            assertThat(own.http().get("/ws/users/online", token).data().path("online_users").asInt()).isZero();
            try (WsClient a = own.connect("gina", "general");
                 WsClient b = own.connect("gina", "support");
                 WsClient c = own.connect("hank", "general")) {
                Http.Response online = own.http().get("/ws/users/online", token);
                assertThat(online.status()).isEqualTo(200);
                assertThat(online.data().path("online_users").asInt()).isEqualTo(2);
                assertThat(online.data().path("timestamp").asText()).endsWith("Z");
            }
        }
    }

    @Test
    void statsHaveTheSeedsShapeAndCount() {
        try (WsClient a = server.connect("ivy", "announcements")) {
            a.send(Map.of("type", "room_message", "room_id", "announcements", "content", "counted"));
            a.awaitType("room_message");
            JsonNode stats = http.get("/ws/stats", user).data();
            assertThat(stats.path("total_rooms").asInt()).isEqualTo(http.get("/ws/rooms", user).data().path("total").asInt());
            assertThat(stats.path("online_users").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(stats.path("total_messages").asLong()).isGreaterThanOrEqualTo(1);
            JsonNode room = stats.path("rooms").path("announcements");
            assertThat(room.path("name").asText()).isEqualTo("Announcements");
            assertThat(room.path("client_count").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(room.path("message_count").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(stats.path("timestamp").asText()).endsWith("Z");
        }
    }

    @Test
    void unknownPathsAndWrongMethodsAreEnvelopedErrors() {
        Http.Response missing = http.get("/ws/nothing-here", user);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("not_found");
        Http.Response wrongMethod = http.send("DELETE", "/ws/rooms", user, null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.errorCode()).isEqualTo("method_not_allowed");
    }

    @Test
    void theOpenApiDocumentAndTheIndexPageArePublic() {
        Http.Response spec = http.get("/ws/openapi.json", null);
        assertThat(spec.status()).isEqualTo(200);
        assertThat(spec.body().path("openapi").asText()).startsWith("3.");
        assertThat(spec.body().path("paths").has("/ws/rooms")).isTrue();
        Http.Response page = http.get("/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw().headers().firstValue("content-type").orElse("")).startsWith("text/html");
    }

    private static JsonNode findRoom(JsonNode data, String id) {
        for (JsonNode room : data.path("rooms")) {
            if (id.equals(room.path("id").asText())) {
                return room;
            }
        }
        throw new AssertionError("no room " + id + " in " + data);
    }
}
