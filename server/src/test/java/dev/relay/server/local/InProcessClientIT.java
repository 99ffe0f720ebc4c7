package dev.relay.server.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.identity.Identity;
import dev.relay.core.local.LocalAck;
import dev.relay.core.local.LocalClient;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A bot inside the server, next to real WebSocket clients, with persistence on. */
class InProcessClientIT {
    @TempDir
    static Path dataDir;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("enable_message_persistence", "true", "ack_after_persist", "true",
                "data_dir", dataDir.toString(), "max_message_length", "20", "filter_words", "forbidden",
                "filter_action", "reject"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Identity bot(String userId) {
        return new Identity(userId, "Bot " + userId, Set.of());
    }

    private static <T> T done(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> future) {
        Throwable failure = future.handle((value, thrown) -> thrown).orTimeout(10, TimeUnit.SECONDS).join();
        return failure instanceof java.util.concurrent.CompletionException wrapped ? wrapped.getCause() : failure;
    }

    @Test
    void aBotJoinsARoomAndPublishesAndASocketMemberGetsItWithItsSeqWhichHistoryKeeps() throws Exception {
        try (WsClient alice = server.connect("alice", "support");
             LocalClient helper = server.service().inProcess(bot("helper-bot"), "general", message -> { })) {
            done(helper.join("support"));
            LocalAck ack = done(helper.publish("support", "how can I help"));

            JsonNode got = alice.awaitType("room_message");
            assertThat(got.path("from").asText()).isEqualTo("helper-bot");
            assertThat(got.path("content").asText()).isEqualTo("how can I help");
            assertThat(got.path("seq").asLong()).isEqualTo(ack.seq());
            assertThat(got.path("epoch").asText()).isEqualTo(ack.epoch());
            assertThat(got.path("id").asText()).isEqualTo(ack.id());

            Http.Response history = server.http().get("/ws/rooms/support/messages", server.token("alice"));
            assertThat(history.status()).isEqualTo(200);
            List<String> kept = new java.util.ArrayList<>();
            history.data().path("messages").forEach(message -> kept.add(message.path("from").asText() + ": "
                    + message.path("content").asText()));
            assertThat(kept).contains("helper-bot: how can I help");
        }
    }

    @Test
    void aBotReceivesWhatSocketsSendToItsRoomsAndToIt() throws Exception {
        List<Map<String, Object>> received = new CopyOnWriteArrayList<>();
        try (LocalClient listener = server.service().inProcess(bot("listener-bot"), "announcements", received::add);
             WsClient bob = server.connect("bob", "announcements")) {
            bob.send(Map.of("type", "room_message", "room_id", "announcements", "id", "r", "content", "hi bot"));
            bob.awaitType("ack");
            bob.send(Map.of("type", "private_message", "to", "listener-bot", "id", "p", "content", "psst"));
            bob.awaitType("ack");

            await().atMost(Duration.ofSeconds(10)).until(() -> received.stream()
                    .anyMatch(message -> "private_message".equals(message.get("type"))));
            assertThat(received.get(0).get("type")).isEqualTo("welcome");
            assertThat(received).filteredOn(message -> "room_message".equals(message.get("type")))
                    .singleElement().satisfies(message -> {
                        assertThat(message.get("from")).isEqualTo("bob");
                        assertThat(message.get("content")).isEqualTo("hi bot");
                        assertThat(((Number) message.get("seq")).longValue()).isPositive();
                    });
            assertThat(received).filteredOn(message -> "private_message".equals(message.get("type")))
                    .singleElement().satisfies(message -> assertThat(message.get("content")).isEqualTo("psst"));
            assertThat(listener.closed()).isNotDone();
        }
    }

    @Test
    void policiesRefuseABotAsTheyRefuseASocket() {
        try (LocalClient bot = server.service().inProcess(bot("rude-bot"), "general", message -> { })) {
            assertThat(failure(bot.publish("general", "far more than twenty characters")))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            refused -> assertThat(refused.code()).isEqualTo(ErrorCode.MESSAGE_TOO_LONG));
            assertThat(failure(bot.publish("general", "forbidden")))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            refused -> assertThat(refused.code()).isEqualTo(ErrorCode.FILTERED));
            assertThat(failure(bot.broadcast("to all")))
                    .as("broadcast_roles is admin by default")
                    .isInstanceOfSatisfying(ProtocolException.class,
                            refused -> assertThat(refused.code()).isEqualTo(ErrorCode.FORBIDDEN));
            assertThat(failure(bot.publish("support", "not joined")))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            refused -> assertThat(refused.code()).isEqualTo(ErrorCode.NOT_MEMBER));
            assertThat(failure(bot.send(new ClientMessage("no_such_type", null, "x", "general", null, null))))
                    .as("a type the protocol does not have")
                    .isInstanceOfSatisfying(ProtocolException.class,
                            refused -> assertThat(refused.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE));
        }
    }

    @Test
    void aRetryWithTheSameIdIsDeliveredOnceAndAnsweredAlike() throws Exception {
        try (WsClient carol = server.connect("carol", "general");
             LocalClient bot = server.service().inProcess(bot("retry-bot"), "general", message -> { })) {
            ClientMessage message = new ClientMessage("room_message", "once", "only once", "general", null, null);
            Map<String, Object> first = done(bot.send(message));
            Map<String, Object> second = done(bot.send(message));
            assertThat(second.get("data")).isEqualTo(first.get("data"));
            carol.await(json -> "only once".equals(json.path("content").asText()), "the message");
            bot.publish("general", "after").get(10, TimeUnit.SECONDS);
            JsonNode next = carol.await(json -> "room_message".equals(json.path("type").asText()), "the next");
            assertThat(next.path("content").asText()).isEqualTo("after");
        }
    }

    @Test
    void closingTakesTheBotOffline() throws Exception {
        LocalClient bot = server.service().inProcess(bot("leaving-bot"), "general", message -> { });
        assertThat(server.service().hub().queries().user("leaving-bot").connections()).isEqualTo(1);
        bot.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.service().hub().queries().user("leaving-bot").connections() == 0);
        assertThat(failure(bot.publish("general", "too late"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void openingAndClosingAThousandClientsKeepsTheHubsLanesBounded() throws Exception {
        int before = server.service().hub().queries().deliveryLanes();
        for (int i = 0; i < 1000; i++) {
            try (LocalClient bot = server.service().inProcess(bot("passing-bot-" + i), "general", message -> { })) {
                assertThat(bot.identity().userId()).isEqualTo("passing-bot-" + i);
            }
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> server.service().hub().queries().user("passing-bot-999").connections() == 0);
        // Every in-process client shares one executor, so at most one lane more than before (none, if one was
        // opened earlier); an executor per client would have left a thousand.
        assertThat(server.service().hub().queries().deliveryLanes()).isLessThanOrEqualTo(before + 1);
    }

    @Test
    void aSenderPublishesAsItsIdentityWithoutBeingSeenToArrive() throws Exception {
        assertThat(server.http().post("/ws/rooms/support/join", server.token("quiet-bot"), "").status()).isEqualTo(200);
        try (WsClient dave = server.connect("dave", "support")) {
            var published = done(server.service().sender(bot("quiet-bot")).publish("support", "psst"));
            List<String> seen = new CopyOnWriteArrayList<>();
            JsonNode got = dave.await(json -> {
                seen.add(json.path("type").asText() + " " + json.path("data").path("user_id").asText());
                return "room_message".equals(json.path("type").asText());
            }, "the sender's message");
            assertThat(got.path("from").asText()).isEqualTo("quiet-bot");
            assertThat(got.path("id").asText()).isEqualTo(published.id());
            assertThat(server.service().hub().queries().user("quiet-bot").connections())
                    .as("no session: not online").isZero();
            assertThat(seen).as("nobody saw it arrive").doesNotContain("user_joined quiet-bot");
        }
    }
}
