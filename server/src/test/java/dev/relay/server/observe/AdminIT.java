package dev.relay.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.server.auth.TokenIssuer;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.Tokens;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Activity and the admin endpoints, with their permission checks: admin, the user themself, anyone else. */
class AdminIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LOG_DIR = Path.of("target", "admin-it-logs");
    private static TestServer server;
    private static Http http;
    private static String admin;

    @BeforeAll
    static void start() throws IOException {
        if (Files.exists(LOG_DIR.resolve(AuditWriter.FILE))) {
            Files.delete(LOG_DIR.resolve(AuditWriter.FILE));
        }
        server = TestServer.start(Map.of("log_dir", LOG_DIR.toString(), "rate_limit_per_minute", "2"));
        http = server.http();
        admin = server.adminToken("ops");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aUserSeesTheirOwnActivityAnAdminAnyonesOthersNone() {
        try (WsClient alice = server.connect("alice", "general")) {
            alice.send(Map.of("type", "join_room", "room_id", "support"));
            alice.awaitType("joined");
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "secret words"));
            alice.awaitType("room_message");
            alice.send(Map.of("type", "ping")); // over the limit of 2 a minute
            alice.awaitType("error");

            Http.Response own = http.get("/ws/users/alice/activity", server.token("alice"));
            assertThat(own.status()).isEqualTo(200);
            JsonNode data = own.data();
            assertThat(types(data)).containsSubsequence("connect", "join", "join", "message_sent", "rate_limited");
            assertThat(data.path("counts").path("messages_sent").asLong()).isEqualTo(1);
            assertThat(data.path("counts").path("rate_limited").asLong()).isEqualTo(1);
            assertThat(own.raw().body()).as("counts, not contents").doesNotContain("secret words");

            assertThat(http.get("/ws/users/alice/activity", admin).status()).isEqualTo(200);
            Http.Response other = http.get("/ws/users/alice/activity", server.token("bob"));
            assertThat(other.status()).isEqualTo(403);
            assertThat(other.errorCode()).isEqualTo("forbidden");
            assertThat(http.get("/ws/users/alice/activity", null).status()).isEqualTo(401);
        }
    }

    @Test
    void activityGoesToTheAuditFileAsJsonLines() throws IOException {
        try (WsClient carol = server.connect("carol", "general")) {
            carol.awaitType("user_joined");
        }
        Path audit = LOG_DIR.resolve(AuditWriter.FILE);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(audit) && Files.readAllLines(audit).stream()
                .anyMatch(line -> line.contains("\"carol\"") && line.contains("\"disconnect\"")));
        List<JsonNode> carols = readJsonLines(audit).stream()
                .filter(line -> line.path("user_id").asText().equals("carol")).toList();
        assertThat(carols).extracting(line -> line.path("event").asText()).startsWith("connect", "join");
        assertThat(carols.getLast().path("close_code").asInt()).isEqualTo(1000);
    }

    @Test
    void anAdminDisconnectsAUserWhoGetsTheReasonAndOthersMayNot() {
        WsClient dave = server.connect("dave", "general");
        WsClient daveTab = server.connect("dave", "support");

        Http.Response refused = http.send("DELETE", "/ws/users/dave/connections", server.token("erin"), null);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(dave.isClosed()).isFalse();
        Http.Response self = http.send("DELETE", "/ws/users/dave/connections", server.token("dave"), null);
        assertThat(self.status()).as("not even for oneself").isEqualTo(403);

        Http.Response done = http.send("DELETE", "/ws/users/dave/connections", admin, "{\"reason\":\"spamming\"}");
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.data().path("connections").asInt()).isEqualTo(2);
        assertThat(done.data().path("code").asInt()).isEqualTo(4403);
        assertThat(dave.awaitClose()).isEqualTo(new WsClient.Closed(4403, "spamming"));
        assertThat(daveTab.awaitClose()).isEqualTo(new WsClient.Closed(4403, "spamming"));

        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/ws/users/dave/activity", admin).data()
                .path("events").findValues("close_code").stream().filter(code -> code.asInt() == 4403).count() == 2);
    }

    @Test
    void disconnectingWithoutAReasonSendsTheDefaultOneAndALongReasonIsCut() {
        WsClient frank = server.connect("frank", "general");
        assertThat(http.send("DELETE", "/ws/users/frank/connections", admin, null).status()).isEqualTo(200);
        assertThat(frank.awaitClose()).isEqualTo(new WsClient.Closed(4403, "disconnected by an administrator"));

        WsClient grace = server.connect("grace", "general");
        String longReason = "规".repeat(100); // 300 bytes of UTF-8
        http.send("DELETE", "/ws/users/grace/connections", admin, "{\"reason\":\"" + longReason + "\"}");
        assertThat(grace.awaitClose().reason()).isEqualTo("规".repeat(41)); // 123 bytes
    }

    @Test
    void anAdminClosesARoomItsMembersAreToldAndItIsGone() {
        assertThat(http.post("/ws/rooms", admin, "{\"id\":\"doomed\"}").status()).isEqualTo(201);
        assertThat(http.post("/ws/rooms", admin, "{\"id\":\"bystanders\"}").status()).isEqualTo(201);
        WsClient heidi = server.connect("heidi", "doomed");
        WsClient ivan = server.connect("ivan", "doomed");
        WsClient judy = server.connect("judy", "bystanders");
        judy.awaitType("user_joined");

        assertThat(http.send("DELETE", "/ws/rooms/doomed", server.token("heidi"), null).status()).isEqualTo(403);
        Http.Response closed = http.send("DELETE", "/ws/rooms/doomed", admin, null);

        assertThat(closed.status()).isEqualTo(200);
        assertThat(closed.data().path("connections").asInt()).isEqualTo(2);
        for (WsClient member : List.of(heidi, ivan)) {
            JsonNode event = member.awaitType("room_closed");
            assertThat(event.path("room_id").asText()).isEqualTo("doomed");
            assertThat(event.path("data").path("by").asText()).isEqualTo("ops");
            member.send(Map.of("type", "room_message", "room_id", "doomed", "content", "anyone?", "id", "x"));
            assertThat(member.awaitType("error").path("data").path("code").asText()).isEqualTo("room_not_found");
        }
        judy.expectNothingPending();
        assertThat(http.get("/ws/rooms", admin).data().path("rooms").findValuesAsText("id")).doesNotContain("doomed");
        assertThat(http.send("DELETE", "/ws/rooms/doomed", admin, null).status()).isEqualTo(404);
        List.of(heidi, ivan, judy).forEach(WsClient::close);
    }

    @Test
    void aFailedLoginIsFiledUnderTheAddressItCameFrom() {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofDays(2)), ZoneOffset.UTC);
        String expired = new TokenIssuer(TestServer.SECRET, past).issue("mallory", null, List.of(), Duration.ofHours(1));

        long before = authFailuresFromHere();

        assertThat(WsClient.connectFailure(server.connectUri("general", expired), Map.of())).isNotNull();

        assertThat(types(http.get("/ws/users/mallory/activity", admin).data())).doesNotContain("auth_failure");
        assertThat(authFailuresFromHere()).isEqualTo(before + 1);
        assertThat(types(http.get("/ws/users/ip:127.0.0.1/activity", admin).data())).containsOnly("auth_failure");
        assertThat(http.get("/ws/users/ip:127.0.0.1/activity", server.token("mallory")).status())
                .as("an address's failures are for admins").isEqualTo(403);
    }

    @Test
    void unsignedTokensNamingAUserNeitherRewriteHerActivityNorFloodTheAudit() {
        try (WsClient kim = server.connect("kim", "general")) {
            kim.send(Map.of("type", "join_room", "room_id", "support"));
            kim.awaitType("joined");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> types(http.get("/ws/users/kim/activity", admin).data())
                .contains("disconnect"));
        JsonNode before = http.get("/ws/users/kim/activity", admin).data().path("events");
        String unsigned = base64("{\"alg\":\"none\"}") + "." + base64("{\"sub\":\"kim\",\"exp\":4102444800}") + ".";
        String forged = base64("{\"alg\":\"HS256\"}") + "." + base64("{\"sub\":\"kim\",\"exp\":4102444800}")
                + ".c2ln";

        for (int i = 0; i < 60; i++) {
            String token = i % 2 == 0 ? unsigned : forged;
            assertThat(http.get("/ws/rooms", token).status()).isEqualTo(401);
            assertThat(Tokens.upgradeStatus(server, token)).isEqualTo(401);
        }

        JsonNode after = http.get("/ws/users/kim/activity", admin).data();
        assertThat(after.path("events")).isEqualTo(before);
        assertThat(after.path("counts").path("auth_failures").asLong()).isZero();
        JsonNode address = http.get("/ws/users/ip:127.0.0.1/activity", admin).data();
        assertThat(address.path("counts").path("auth_failures").asLong()).isGreaterThanOrEqualTo(120);
        assertThat(address.path("events").size()).as("repeats folded").isLessThanOrEqualTo(3);
    }

    private static long authFailuresFromHere() {
        return http.get("/ws/users/ip:127.0.0.1/activity", admin).data().path("counts").path("auth_failures").asLong();
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> types(JsonNode activity) {
        return activity.path("events").findValuesAsText("type");
    }

    private static List<JsonNode> readJsonLines(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + line, e);
            }
        }).toList();
    }
}
