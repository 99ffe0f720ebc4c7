package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every client message type, end to end over real sockets. */
class MessagingIT {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void welcomeComesFirstWithTheClientUserAndRoom() {
        try (WsClient client = WsClient.connect(server.connectUri("support", server.token("wendy")))) {
            JsonNode welcome = client.next();
            assertThat(welcome.path("type").asText()).isEqualTo("welcome");
            assertThat(welcome.path("content").asText()).isEqualTo("欢迎连接到WebSocket服务");
            assertThat(welcome.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(welcome.path("data").path("user_id").asText()).isEqualTo("wendy");
            assertThat(welcome.path("data").path("room_id").asText()).isEqualTo("support");
            assertThat(welcome.path("data").path("client_id").asText()).isNotEmpty();
            JsonNode joined = client.expectType("user_joined");
            assertThat(joined.path("room_id").asText()).isEqualTo("support");
            assertThat(joined.path("data").path("user_id").asText()).isEqualTo("wendy");
        }
    }

    @Test
    void roomMessageReachesEveryMemberIncludingTheSenderAndNobodyElse() {
        server.service().hub().admin().createRoom(dev.relay.core.identity.Identity.SYSTEM,
                new dev.relay.core.room.RoomSpec("lobby-1", "Lobby", null));
        try (WsClient alice = server.connect("alice1", "lobby-1");
             WsClient bob = server.connect("bob1", "lobby-1");
             WsClient outsider = server.connect("carol1", "general")) {
            alice.awaitType("user_joined"); // her own
            alice.awaitType("user_joined"); // bob's
            bob.awaitType("user_joined");

            alice.send(Map.of("type", "room_message", "room_id", "lobby-1", "content", "大家好！",
                    "data", Map.of("emoji", "👋")));

            for (WsClient member : new WsClient[]{alice, bob}) {
                JsonNode message = member.expectType("room_message");
                assertThat(message.path("from").asText()).isEqualTo("alice1");
                assertThat(message.path("room_id").asText()).isEqualTo("lobby-1");
                assertThat(message.path("content").asText()).isEqualTo("大家好！");
                assertThat(message.path("data").path("emoji").asText()).isEqualTo("👋");
                assertThat(message.path("id").asText()).hasSize(20);
            }
            outsider.awaitType("user_joined"); // carol's own join to general
            outsider.expectNothingPending();
        }
    }

    @Test
    void privateMessageGoesToEveryConnectionOfTheRecipientAndBackToTheSender() {
        try (WsClient sender = server.connect("pm-sender", "general");
             WsClient phone = server.connect("pm-target", "general");
             WsClient laptop = server.connect("pm-target", "general")) {
            sender.send(Map.of("type", "private_message", "to", "pm-target", "content", "psst", "id", "m1"));
            for (WsClient client : new WsClient[]{phone, laptop, sender}) {
                JsonNode message = client.awaitType("private_message");
                assertThat(message.path("from").asText()).isEqualTo("pm-sender");
                assertThat(message.path("to").asText()).isEqualTo("pm-target");
                assertThat(message.path("content").asText()).isEqualTo("psst");
            }
        }
    }

    @Test
    void privateMessageToAnOfflineUserIsHeldAndAckedAsStoredOffline() {
        try (WsClient sender = server.connect("lonely", "general")) {
            sender.awaitType("user_joined");
            sender.send(Map.of("type", "private_message", "to", "nobody-here", "content", "hi", "id", "42"));
            JsonNode ack = sender.awaitType("ack");
            assertThat(ack.path("data").path("ref").asText()).isEqualTo("42");
            assertThat(ack.path("data").path("stored_offline").asBoolean()).isTrue();
        }
    }

    @Test
    void broadcastIsForAdminsAndReachesEveryone() {
        try (WsClient admin = server.connect("root-b", "announcements", "admin");
             WsClient user = server.connect("user-b", "support")) {
            user.send(Map.of("type", "broadcast", "content", "hello all", "id", "b1"));
            JsonNode refused = user.awaitType("error");
            assertThat(refused.path("data").path("code").asText()).isEqualTo("forbidden");
            assertThat(refused.path("data").path("ref").asText()).isEqualTo("b1");

            admin.send(Map.of("type", "broadcast", "content", "maintenance at noon"));
            for (WsClient client : new WsClient[]{admin, user}) {
                JsonNode message = client.awaitType("broadcast");
                assertThat(message.path("from").asText()).isEqualTo("root-b");
                assertThat(message.path("content").asText()).isEqualTo("maintenance at noon");
            }
        }
    }

    @Test
    void joinAndLeaveAnnounceTheUserToTheRoom() {
        try (WsClient watcher = server.connect("watcher", "support");
             WsClient mover = server.connect("mover", "general")) {
            watcher.awaitType("user_joined");
            mover.send(Map.of("type", "join_room", "room_id", "support", "id", "j1"));
            JsonNode joined = mover.awaitType("joined");
            assertThat(joined.path("room_id").asText()).isEqualTo("support");
            assertThat(joined.path("data").path("ref").asText()).isEqualTo("j1");
            JsonNode seen = watcher.awaitType("user_joined");
            assertThat(seen.path("data").path("user_id").asText()).isEqualTo("mover");

            mover.send(Map.of("type", "room_message", "room_id", "support", "content", "in support now"));
            assertThat(watcher.awaitType("room_message").path("content").asText()).isEqualTo("in support now");

            mover.send(Map.of("type", "leave_room", "room_id", "support"));
            mover.awaitType("left");
            JsonNode gone = watcher.awaitType("user_left");
            assertThat(gone.path("data").path("user_id").asText()).isEqualTo("mover");

            mover.send(Map.of("type", "room_message", "room_id", "support", "content", "still here?", "id", "x"));
            JsonNode error = mover.awaitType("error");
            assertThat(error.path("data").path("code").asText()).isEqualTo("not_member");
        }
    }

    @Test
    void closingTheLastConnectionTellsTheRoomTheUserLeft() {
        try (WsClient watcher = server.connect("watcher2", "announcements")) {
            watcher.awaitType("user_joined");
            WsClient leaver = server.connect("leaver", "announcements");
            assertThat(watcher.awaitType("user_joined").path("data").path("user_id").asText()).isEqualTo("leaver");
            leaver.close();
            assertThat(watcher.awaitType("user_left").path("data").path("user_id").asText()).isEqualTo("leaver");
        }
    }

    @Test
    void pingIsAnsweredWithPong() {
        try (WsClient client = server.connect("pinger", "general")) {
            client.awaitType("user_joined");
            client.send(Map.of("type", "ping", "id", "p1"));
            JsonNode pong = client.expectTypeIgnoringPresence("pong");
            assertThat(pong.path("data").path("ref").asText()).isEqualTo("p1");
        }
    }

    @Test
    void recoverableErrorsKeepTheConnectionOpen() {
        try (WsClient client = server.connect("clumsy", "general")) {
            client.awaitType("user_joined");
            assertError(client, "{not json", "invalid_json", null);
            assertError(client, "[1,2]", "invalid_json", null);
            assertError(client, "{\"type\":\"dance\",\"id\":\"d1\"}", "unknown_type", "d1");
            assertError(client, "{\"content\":\"no type\",\"id\":\"t1\"}", "missing_field", "t1");
            assertError(client, "{\"type\":\"room_message\",\"content\":\"where?\",\"id\":\"r1\"}", "missing_field", "r1");
            assertError(client, "{\"type\":\"room_message\",\"room_id\":\"nowhere\",\"content\":\"x\",\"id\":\"r2\"}",
                    "room_not_found", "r2");
            assertError(client, "{\"type\":\"room_message\",\"room_id\":\"support\",\"content\":\"x\",\"id\":\"r3\"}",
                    "not_member", "r3");
            assertError(client, "{\"type\":\"room_message\",\"room_id\":\"bad id!\",\"content\":\"x\"}",
                    "invalid_room_id", null);
            assertError(client, "{\"type\":\"room_message\",\"room_id\":\"general\",\"content\":5}", "invalid_field", null);
            assertError(client, "{\"type\":\"join_room\",\"room_id\":\"nowhere\"}", "room_not_found", null);
            assertError(client, "{\"type\":\"broadcast\",\"content\":\"x\"}", "forbidden", null);

            client.send(Map.of("type", "room_message", "room_id", "general", "content", "still connected"));
            assertThat(client.awaitType("room_message").path("content").asText()).isEqualTo("still connected");
            assertThat(client.isClosed()).isFalse();
        }
    }

    @Test
    void binaryFramesReachTheOtherMembersOfTheSendersRoomsOnce() {
        try (WsClient sender = server.connect("bin-sender", "general");
             WsClient both = server.connect("bin-both", "general");
             WsClient elsewhere = server.connect("bin-elsewhere", "support")) {
            sender.send(Map.of("type", "join_room", "room_id", "support"));
            sender.awaitType("joined");
            both.send(Map.of("type", "join_room", "room_id", "support"));
            both.awaitType("joined");

            byte[] payload = "binary ☃".getBytes(StandardCharsets.UTF_8);
            sender.sendBinary(payload);

            assertThat(both.drain(Duration.ofMillis(500)).stream()
                    .filter(m -> m instanceof java.nio.ByteBuffer).count()).isEqualTo(1);
            assertThat(elsewhere.drain(Duration.ofMillis(100)).stream()
                    .filter(m -> m instanceof java.nio.ByteBuffer).map(m -> {
                        java.nio.ByteBuffer b = (java.nio.ByteBuffer) m;
                        byte[] bytes = new byte[b.remaining()];
                        b.get(bytes);
                        return new String(bytes, StandardCharsets.UTF_8);
                    }).toList()).containsExactly("binary ☃");
            assertThat(sender.drain(Duration.ofMillis(100)))
                    .noneMatch(m -> m instanceof java.nio.ByteBuffer);
        }
    }

    @Test
    void theSeedsBrowserSnippetWorksAsWritten() {
        // The seed's example: token in the query (browsers cannot set headers), room general, its exact message.
        try (WsClient browser = WsClient.connect(server.connectUri("general", server.token("seed-user")))) {
            assertThat(browser.next().path("type").asText()).isEqualTo("welcome");
            browser.send("{\"type\":\"room_message\",\"content\":\"大家好！\",\"room_id\":\"general\"}");
            JsonNode message = browser.awaitType("room_message");
            assertThat(message.path("content").asText()).isEqualTo("大家好！");
            assertThat(message.path("from").asText()).isEqualTo("seed-user");
        }
    }

    private static void assertError(WsClient client, String raw, String code, String ref) {
        client.send(raw);
        JsonNode error = client.expectTypeIgnoringPresence("error");
        assertThat(error.path("data").path("code").asText()).as("code for %s", raw).isEqualTo(code);
        assertThat(error.path("content").asText()).as("human message for %s", raw).isNotBlank();
        if (ref == null) {
            assertThat(error.path("data").has("ref")).as("no ref for %s", raw).isFalse();
        } else {
            assertThat(error.path("data").path("ref").asText()).isEqualTo(ref);
        }
    }
}
