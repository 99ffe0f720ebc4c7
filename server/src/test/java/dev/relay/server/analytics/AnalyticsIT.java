package dev.relay.server.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Analytics of a real server fed by real WebSocket clients, read through its REST API and live feed. */
class AnalyticsIT {
    private static final Map<String, String> SETTINGS = Map.of("enable_rate_limit", "false",
            "analytics_flush_interval", "100ms");
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private JsonNode overview(String window) {
        Http.Response response = server.http().get("/ws/analytics/overview?window=" + window,
                server.adminToken("ops"));
        assertThat(response.status()).as(response.raw().body()).isEqualTo(200);
        return response.data();
    }

    @Test
    void everyAcceptedMessageCountsOnceUnderConcurrentTrafficRetriesAndReconnects() {
        server = TestServer.start(SETTINGS);
        int senders = 4;
        int each = 50;
        List<WsClient> clients = new ArrayList<>();
        try (WsClient bob = server.connect("bob", "general");
             WsClient boss = server.connect("boss", "general", "admin")) {
            IntStream.range(0, senders).forEach(i -> clients.add(server.connect("user" + i, "general")));
            // Each sender sends its messages, then sends every one again with the same id (a retry): acked, not new.
            List<CompletableFuture<Void>> sending = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                WsClient client = clients.get(i);
                sending.add(CompletableFuture.runAsync(() -> {
                    for (int round = 0; round < 2; round++) {
                        for (int m = 0; m < each; m++) {
                            client.send(Map.of("type", "room_message", "room_id", "general", "id", "m" + m,
                                    "content", "hi " + m));
                        }
                    }
                    for (int m = 0; m < 2 * each; m++) {
                        client.awaitType("ack");
                    }
                }));
            }
            sending.forEach(CompletableFuture::join);
            bob.send(Map.of("type", "private_message", "to", "boss", "id", "p", "content", "psst"));
            bob.awaitType("ack");
            boss.send(Map.of("type", "broadcast", "id", "b", "content", "all hands"));
            boss.awaitType("ack");
            for (int i = 0; i < 10; i++) { // a reconnect storm: carol is one active user
                server.connect("carol", "general").close();
            }

            int rooms = senders * each;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode figures = overview("5m");
                assertThat(figures.path("messages").path("total").asLong()).isEqualTo(rooms + 2);
                assertThat(figures.path("users").path("active").asLong()).isEqualTo(senders + 3);
                assertThat(figures.path("connections").path("opened").asLong()).isEqualTo(senders + 2 + 10);
            });
            JsonNode figures = overview("5m");
            assertThat(figures.path("window").asText()).isEqualTo("5m");
            JsonNode messages = figures.path("messages");
            assertThat(messages.path("room").asLong()).isEqualTo(rooms);
            assertThat(messages.path("private").asLong()).isEqualTo(1);
            assertThat(messages.path("broadcast").asLong()).isEqualTo(1);
            assertThat(messages.path("per_minute")).hasSize(5);
            long perMinute = StreamSupport.stream(messages.path("per_minute").spliterator(), false)
                    .mapToLong(point -> point.path("count").asLong()).sum();
            assertThat(perMinute).isEqualTo(rooms + 2);
            assertThat(figures.path("top_rooms").get(0).path("room_id").asText()).isEqualTo("general");
            assertThat(figures.path("top_rooms").get(0).path("messages").asLong()).isEqualTo(rooms);
            assertThat(figures.path("top_rooms").get(0).path("active_users").asLong()).isEqualTo(senders);
            assertThat(figures.path("top_users").get(0).path("messages").asLong()).isEqualTo(each);
            assertThat(figures.path("users").path("online_now").asInt()).isEqualTo(senders + 2);
            assertThat(figures.path("latency_ms").path("p99").isNumber()).isTrue();
            assertThat(figures.path("errors").path("total").asLong()).isZero();
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void aResumeReplaysWithoutCountingAgain() {
        server = TestServer.start(SETTINGS);
        String epoch;
        try (WsClient bob = server.connect("bob", "general")) {
            for (int i = 0; i < 3; i++) {
                bob.send(Map.of("type", "room_message", "room_id", "general", "id", "m" + i, "content", "m" + i));
                bob.awaitType("ack");
            }
            epoch = server.service().hub().queries().roomPosition("general").orElseThrow().epoch();
        }
        try (WsClient carol = server.connect("carol", "general");
             WsClient bobAgain = server.connect("bob", "general")) {
            carol.send(Map.of("type", "resume", "room_id", "general", "id", "r",
                    "data", Map.of("since", 0, "epoch", epoch)));
            WsClient.Resumption resumption = carol.awaitResumed();
            assertThat(resumption.replayed()).containsExactly("m0", "m1", "m2");
            // bob, reconnected, retries his first message with the same id: acked as the first, not sent again.
            bobAgain.send(Map.of("type", "room_message", "room_id", "general", "id", "m0", "content", "m0"));
            assertThat(bobAgain.awaitType("ack").path("data").path("seq").asLong()).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode figures = overview("5m");
            assertThat(figures.path("users").path("active").asLong()).isEqualTo(2);
            assertThat(figures.path("messages").path("total").asLong()).isEqualTo(3);
        });
    }

    @Test
    void refusalsAreCountedByCode() {
        server = TestServer.start(SETTINGS);
        try (WsClient alice = server.connect("alice", "general")) {
            alice.send(Map.of("type", "room_message", "room_id", "elsewhere", "id", "x", "content", "hi"));
            alice.awaitType("error");
            alice.send(Map.of("type", "broadcast", "id", "y", "content", "hi"));
            alice.awaitType("error");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(overview("1h").path("errors").path("total").asLong()).isEqualTo(2));
            assertThat(overview("1h").path("errors").path("by_code").path("forbidden").asLong()).isEqualTo(1);
        }
    }

    @Test
    void onlyAdminsReadTheOverviewMembersTheirOwnRoomAndBadValuesAre400() {
        server = TestServer.start(SETTINGS);
        Http http = server.http();
        String admin = server.adminToken("ops");
        assertThat(http.post("/ws/rooms", admin, "{\"id\":\"team\"}").status()).isEqualTo(201);
        try (WsClient bob = server.connect("bob", "general")) {
            bob.send(Map.of("type", "join_room", "room_id", "team", "id", "j"));
            bob.awaitType("joined");
            bob.send(Map.of("type", "room_message", "room_id", "team", "id", "m", "content", "hi"));
            bob.awaitType("ack");
            String member = server.token("bob");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    http.get("/ws/analytics/rooms/team", member).data().path("messages").asLong()).isEqualTo(1));
            JsonNode room = http.get("/ws/analytics/rooms/team?window=24h", member).data();
            assertThat(room.path("room_id").asText()).isEqualTo("team");
            assertThat(room.path("window").asText()).isEqualTo("24h");
            assertThat(room.path("per_minute")).hasSize(24 * 60);
            assertThat(room.path("active_users").asLong()).isEqualTo(1);
            assertThat(room.path("peak_members").asLong()).isEqualTo(1);
            assertThat(room.path("top_users").get(0).path("user_id").asText()).isEqualTo("bob");

            String outsider = server.token("eve");
            assertThat(http.get("/ws/analytics/rooms/team", outsider).errorCode()).isEqualTo("forbidden");
            assertThat(http.get("/ws/analytics/rooms/team", outsider).status()).isEqualTo(403);
            assertThat(http.get("/ws/analytics/rooms/general", outsider).status())
                    .as("a default room is every user's").isEqualTo(200);
            assertThat(http.get("/ws/analytics/overview", member).status()).isEqualTo(403);
            assertThat(http.get("/ws/analytics/active-users", member).status()).isEqualTo(403);
            assertThat(http.get("/ws/analytics/overview", null).status()).isEqualTo(401);
            assertThat(http.get("/ws/analytics/rooms/team", admin).status()).isEqualTo(200);

            for (String bad : List.of("/ws/analytics/overview?window=2h", "/ws/analytics/overview?window=",
                    "/ws/analytics/rooms/team?window=1d", "/ws/analytics/active-users?period=year",
                    "/ws/analytics/overview?format=xml")) {
                Http.Response refused = http.get(bad, admin);
                assertThat(refused.status()).as(bad).isEqualTo(400);
                assertThat(refused.errorCode()).as(bad).isEqualTo("invalid_argument");
            }
            for (String good : List.of("/ws/analytics/overview?window=5m", "/ws/analytics/overview?window=30d",
                    "/ws/analytics/active-users?period=week", "/ws/analytics/active-users?period=month")) {
                assertThat(http.get(good, admin).status()).as(good).isEqualTo(200);
            }
        }
    }

    @Test
    void csvCarriesTheSameFigures() {
        server = TestServer.start(SETTINGS);
        String admin = server.adminToken("ops");
        try (WsClient bob = server.connect("bob", "general")) {
            bob.send(Map.of("type", "room_message", "room_id", "general", "id", "m", "content", "hi"));
            bob.awaitType("ack");
            await().atMost(Duration.ofSeconds(10)).until(() -> overview("1h").path("messages").path("total")
                    .asLong() == 1);
            Http.Response csv = server.http().get("/ws/analytics/overview?window=1h&format=csv", admin);
            assertThat(csv.raw().headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
            assertThat(csv.raw().body()).startsWith("field,value\r\n").contains("\r\nwindow,1h\r\n")
                    .contains("\r\nmessages.total,1\r\n").contains("\r\ntop_rooms.0.room_id,general\r\n")
                    .contains("\r\ntop_users.0.user_id,bob\r\n");

            JsonNode daily = server.http().get("/ws/analytics/active-users?period=day", admin).data();
            assertThat(daily.path("period").asText()).isEqualTo("day");
            assertThat(daily.path("series")).hasSize(30);
            JsonNode today = daily.path("series").get(29);
            assertThat(today.path("active_users").asLong()).isEqualTo(1);
            for (String period : List.of("week", "month")) {
                JsonNode series = server.http().get("/ws/analytics/active-users?period=" + period, admin).data()
                        .path("series");
                assertThat(series).as(period).hasSize(12);
                assertThat(series.get(11).path("active_users").asLong()).as(period).isEqualTo(1);
            }
            String users = server.http().get("/ws/analytics/active-users?period=day&format=csv", admin).raw().body();
            String[] lines = users.split("\r\n");
            assertThat(lines).hasSize(31);
            assertThat(lines[0]).isEqualTo("date,active_users");
            assertThat(lines[30]).isEqualTo(today.path("date").asText() + ",1");
        }
    }

    @Test
    void adminsWatchLiveUntilTheyUnsubscribeAndOthersAreRefused() {
        server = TestServer.start(SETTINGS);
        try (WsClient boss = server.connect("boss", "general", "admin");
             WsClient bob = server.connect("bob", "general")) {
            bob.send(Map.of("type", "subscribe_analytics", "id", "s"));
            JsonNode refused = bob.awaitType("error");
            assertThat(refused.path("data").path("code").asText()).isEqualTo("forbidden");
            assertThat(refused.path("data").path("ref").asText()).isEqualTo("s");

            boss.send(Map.of("type", "subscribe_analytics"));
            JsonNode first = boss.awaitType("analytics");
            assertThat(first.path("data").path("window").asText()).isEqualTo("1m");
            bob.send(Map.of("type", "room_message", "room_id", "general", "id", "m", "content", "hi"));
            JsonNode counted = boss.await(message -> message.path("type").asText().equals("analytics")
                    && message.path("data").path("messages").path("total").asLong() == 1, "the message counted");
            assertThat(counted.path("data").path("users").path("online_now").asInt()).isEqualTo(2);

            boss.send(Map.of("type", "unsubscribe_analytics"));
            boss.send(Map.of("type", "ping", "id", "after"));
            boss.await(message -> message.path("type").asText().equals("pong"), "the pong after unsubscribing");
            // Nothing after the pong: the feed stopped (a frame already queued before the pong came before it).
            assertThat(boss.drain(Duration.ofMillis(2500))).noneMatch(message -> message.toString()
                    .contains("\"type\":\"analytics\""));
            assertThat(bob.drain(Duration.ZERO)).noneMatch(message -> message.toString()
                    .contains("\"type\":\"analytics\""));
        }
    }

    @Test
    void withPersistenceTheFiguresSurviveARestart(@TempDir Path dataDir) {
        Map<String, String> persistent = new HashMap<>(SETTINGS);
        persistent.putAll(Map.of("enable_message_persistence", "true", "data_dir", dataDir.toString()));
        server = TestServer.start(persistent);
        try (WsClient bob = server.connect("bob", "general")) {
            for (int i = 0; i < 3; i++) {
                bob.send(Map.of("type", "room_message", "room_id", "general", "id", "m" + i, "content", "hi"));
                bob.awaitType("ack");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> overview("1h").path("messages").path("total")
                .asLong() == 3);
        server.close();

        server = TestServer.start(persistent); // a new process would read the same file: the figures are there
        JsonNode figures = overview("1h");
        assertThat(figures.path("messages").path("total").asLong()).isEqualTo(3);
        assertThat(figures.path("top_users").get(0).path("user_id").asText()).isEqualTo("bob");
        assertThat(server.http().get("/ws/analytics/active-users?period=day", server.adminToken("ops")).data()
                .path("series").get(29).path("active_users").asLong()).isEqualTo(1);
    }

    @Test
    void switchedOffNothingAnswers() {
        server = TestServer.start(Map.of("analytics_enabled", "false"));
        Http.Response response = server.http().get("/ws/analytics/overview", server.adminToken("ops"));
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.errorCode()).isEqualTo("feature_disabled");
        assertThat(server.service().eventStats()).isEmpty();
        try (WsClient boss = server.connect("boss", "general", "admin")) {
            boss.send(Map.of("type", "subscribe_analytics"));
            assertThat(boss.awaitType("error").path("data").path("code").asText()).isEqualTo("feature_disabled");
        }
    }
}
