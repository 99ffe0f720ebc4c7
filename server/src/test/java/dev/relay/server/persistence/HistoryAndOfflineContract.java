package dev.relay.server.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a client sees of stored messages, whether the store is memory or a database: offline messages after the
 * welcome, history pages for members (connected or not) and admins only, conversations for their two users only,
 * search in English and Chinese that never finds what the caller could not read.
 */
abstract class HistoryAndOfflineContract {
    TestServer server;

    /** Settings of the server under test, on top of the test defaults. */
    abstract Map<String, String> settings();

    TestServer server() {
        if (server == null) {
            server = TestServer.start(settings());
        }
        return server;
    }

    /** Starts the server under test with these settings on top of {@link #settings()}. */
    TestServer serverWith(Map<String, String> more) {
        Map<String, String> all = new java.util.HashMap<>(settings());
        all.putAll(more);
        server = TestServer.start(all);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String q(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    static List<String> contents(Http.Response response) {
        List<String> contents = new ArrayList<>();
        response.data().path("messages").forEach(message -> contents.add(message.path("content").asText()));
        return contents;
    }

    static JsonNode ackFor(WsClient client, String ref) {
        return client.await(m -> "ack".equals(m.path("type").asText()) && ref.equals(m.path("data").path("ref").asText()),
                "the ack of " + ref);
    }

    @Test
    void aPrivateMessageToAnOfflineUserIsAckedAsStoredAndDeliveredAfterTheNextWelcome() {
        try (WsClient alice = server().connect("alice", "general")) {
            alice.send(Map.of("type", "private_message", "id", "p-1", "to", "bob", "content", "while you were out"));
            alice.send(Map.of("type", "private_message", "id", "p-2", "to", "bob", "content", "second"));
            assertThat(ackFor(alice, "p-1").path("data").path("stored_offline").asBoolean()).isTrue();
            ackFor(alice, "p-2");

            try (WsClient bob = server().connect("bob", "support")) {
                // With a database the held messages arrive once the store has answered, so the room's own events
                // (user_joined) may come first; the held messages themselves come together, in order.
                JsonNode header = bob.awaitType("offline_messages");
                assertThat(header.path("data").path("count").asInt()).isEqualTo(2);
                assertThat(header.path("data").path("dropped").asInt()).isZero();
                assertThat(bob.expectType("private_message").path("content").asText()).isEqualTo("while you were out");
                assertThat(bob.expectType("private_message").path("content").asText()).isEqualTo("second");
            }
            try (WsClient bobAgain = server().connect("bob", "support")) {
                bobAgain.expectNothingPendingExcept("user_joined", "user_left", "presence");
            }
        }
    }

    @Test
    void roomHistoryIsForMembersAndAdminsAndPagesBackBySeq() {
        Http http = server().http();
        try (WsClient alice = server().connect("alice", "general")) {
            for (int i = 1; i <= 5; i++) {
                alice.send(Map.of("type", "room_message", "id", "r-" + i, "room_id", "general", "content", "m" + i));
            }
            ackFor(alice, "r-5");

            Http.Response newest = http.get("/ws/rooms/general/messages?limit=2", server().token("alice"));
            assertThat(newest.status()).isEqualTo(200);
            assertThat(contents(newest)).containsExactly("m4", "m5");
            assertThat(newest.data().path("has_more").asBoolean()).isTrue();
            long firstSeq = newest.data().path("messages").get(0).path("seq").asLong();

            Http.Response older = http.get("/ws/rooms/general/messages?limit=10&before_seq=" + firstSeq,
                    server().token("alice"));
            assertThat(contents(older)).containsExactly("m1", "m2", "m3");
            assertThat(older.data().path("has_more").asBoolean()).isFalse();

            assertThat(contents(http.get("/ws/rooms/general/messages", server().adminToken("root"))))
                    .containsExactly("m1", "m2", "m3", "m4", "m5");
            assertThat(contents(http.get("/ws/rooms/general/messages", server().token("carol"))))
                    .as("a default room is every user's: anyone may join it, so anyone may read it")
                    .hasSize(5);
            assertThat(http.get("/ws/rooms/atlantis/messages", server().adminToken("root")).errorCode())
                    .isEqualTo("room_not_found");
            assertThat(http.get("/ws/rooms/general/messages?limit=0", server().token("alice")).errorCode())
                    .isEqualTo("invalid_field");
            assertThat(http.get("/ws/rooms/general/messages?limit=200", server().token("alice")).status())
                    .isEqualTo(200);
            assertThat(http.get("/ws/rooms/general/messages?limit=201", server().token("alice")).errorCode())
                    .isEqualTo("invalid_field");
        }
    }

    @Test
    void aConversationIsForItsTwoUsersAndAdmins() {
        Http http = server().http();
        try (WsClient alice = server().connect("alice", "general");
             WsClient bob = server().connect("bob", "general")) {
            alice.send(Map.of("type", "private_message", "id", "p-1", "to", "bob", "content", "hi bob"));
            ackFor(alice, "p-1");
            bob.send(Map.of("type", "private_message", "id", "p-2", "to", "alice", "content", "hi alice"));
            ackFor(bob, "p-2");

            assertThat(contents(http.get("/ws/users/bob/messages?with=alice", server().token("bob"))))
                    .containsExactly("hi bob", "hi alice");
            assertThat(contents(http.get("/ws/users/alice/messages?with=bob", server().token("alice"))))
                    .containsExactly("hi bob", "hi alice");
            assertThat(contents(http.get("/ws/users/alice/messages?with=bob", server().adminToken("root"))))
                    .hasSize(2);
            assertThat(http.get("/ws/users/alice/messages?with=bob", server().token("carol")).errorCode())
                    .isEqualTo("forbidden");
            assertThat(http.get("/ws/users/alice/messages", server().token("alice")).errorCode())
                    .isEqualTo("missing_field");
            assertThat(http.get("/ws/users/alice/messages?with=bob&before=yesterday", server().token("alice"))
                    .errorCode()).isEqualTo("invalid_field");
        }
    }

    @Test
    void searchFindsChineseAndEnglishOnlyWhereTheCallerMayRead() {
        Http http = server().http();
        assertThat(http.post("/ws/rooms", server().adminToken("root"), "{\"id\":\"team\"}").status()).isEqualTo(201);
        try (WsClient alice = server().connect("alice", "general");
             WsClient carol = server().connect("carol", "team");
             WsClient dave = server().connect("dave", "team")) {
            alice.send(Map.of("type", "room_message", "id", "r-1", "room_id", "general", "content", "消息持久化存储"));
            alice.send(Map.of("type", "room_message", "id", "r-2", "room_id", "general",
                    "content", "Persistence keeps messages"));
            ackFor(alice, "r-2");
            carol.send(Map.of("type", "room_message", "id", "s-1", "room_id", "team",
                    "content", "team room persistence notes"));
            ackFor(carol, "s-1");
            carol.send(Map.of("type", "private_message", "id", "p-1", "to", "dave",
                    "content", "private persistence between carol and dave"));
            ackFor(carol, "p-1");

            Http.Response chinese = http.get("/ws/messages/search?q=" + q("持久化"), server().token("alice"));
            assertThat(chinese.status()).isEqualTo(200);
            assertThat(contents(chinese)).containsExactly("消息持久化存储");
            assertThat(chinese.data().path("messages").get(0).path("highlight").asText())
                    .isEqualTo("消息<mark>持久化</mark>存储");

            assertThat(contents(http.get("/ws/messages/search?q=persistence", server().token("alice"))))
                    .as("alice is a member of the default rooms only, and in no private conversation")
                    .containsExactly("Persistence keeps messages");
            assertThat(contents(http.get("/ws/messages/search?q=persistence", server().token("carol"))))
                    .containsExactlyInAnyOrder("team room persistence notes",
                            "private persistence between carol and dave", "Persistence keeps messages");
            assertThat(contents(http.get("/ws/messages/search?q=persistence&room_id=team",
                    server().token("alice")))).as("a room alice is not a member of").isEmpty();
            assertThat(contents(http.get("/ws/messages/search?q=persistence", server().adminToken("root"))))
                    .hasSize(3);
            assertThat(contents(http.get("/ws/messages/search?q=persistence&from=carol", server().adminToken("root"))))
                    .hasSize(2);
            assertThat(http.get("/ws/messages/search?q=persistence&limit=1", server().adminToken("root")).data()
                    .path("has_more").asBoolean()).isTrue();
            assertThat(http.get("/ws/messages/search", server().token("alice")).errorCode())
                    .isEqualTo("missing_field");
            assertThat(http.get("/ws/messages/search?q=" + "x".repeat(201), server().token("alice")).errorCode())
                    .isEqualTo("invalid_field");
            assertThat(http.get("/ws/messages/search?q=" + "x".repeat(200), server().token("alice")).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void aRoomClosedAndCreatedAgainShowsNothingOfTheOldRoomBeforeOrAfterARestart() {
        Http http = server().http();
        String admin = server().adminToken("root");
        assertThat(http.post("/ws/rooms", admin, "{\"id\":\"vault\",\"private\":true,\"members\":[\"alice\"]}")
                .status()).isEqualTo(201);
        try (WsClient alice = server().connect("alice", "vault")) {
            for (int i = 1; i <= 3; i++) {
                alice.send(Map.of("type", "room_message", "id", "v-" + i, "room_id", "vault",
                        "content", "secret plan " + i));
            }
            ackFor(alice, "v-3");
        }
        String oldEpoch = http.get("/ws/rooms/vault/messages", admin).data().path("messages").get(0).path("epoch")
                .asText();
        assertThat(http.send("DELETE", "/ws/rooms/vault", admin, null).status()).isEqualTo(200);
        assertThat(http.post("/ws/rooms", admin, "{\"id\":\"vault\"}").status()).isEqualTo(201);
        try (WsClient bob = server().connect("bob", "vault")) {
            bob.send(Map.of("type", "room_message", "id", "n-1", "room_id", "vault", "content", "fresh start"));
            ackFor(bob, "n-1");
            assertNothingOfTheOldRoom(bob, oldEpoch);
        }

        server.close();
        server = null; // the next server() starts on the same store
        if (server().http().get("/ws/rooms/vault/messages", server().adminToken("root")).status() == 404) {
            // Nothing kept across the restart (memory): the room is created afresh, and must still start empty.
            assertThat(server().http().post("/ws/rooms", server().adminToken("root"), "{\"id\":\"vault\"}")
                    .status()).isEqualTo(201);
            assertThat(contents(server().http().get("/ws/rooms/vault/messages", server().adminToken("root"))))
                    .isEmpty();
        } else {
            assertThat(contents(server().http().get("/ws/rooms/vault/messages", server().adminToken("root"))))
                    .containsExactly("fresh start");
        }
        try (WsClient bob = server().connect("bob", "vault")) {
            assertNothingOfTheOldRoom(bob, oldEpoch);
        }
    }

    /** History, search and resume from the old stream find nothing; {@code bob} is in the room. */
    private void assertNothingOfTheOldRoom(WsClient bob, String oldEpoch) {
        Http http = server().http();
        Http.Response history = http.get("/ws/rooms/vault/messages", server().adminToken("root"));
        assertThat(contents(history)).doesNotContain("secret plan 1", "secret plan 2", "secret plan 3");
        history.data().path("messages").forEach(message ->
                assertThat(message.path("epoch").asText()).as("the new room's stream").isNotEqualTo(oldEpoch));
        assertThat(contents(http.get("/ws/messages/search?q=secret", server().adminToken("root"))))
                .as("search, even for an admin").isEmpty();
        assertThat(contents(http.get("/ws/messages/search?q=secret&room_id=vault", server().token("bob"))))
                .isEmpty();
        bob.send(Map.of("type", "resume", "room_id", "vault", "data", Map.of("since", 0, "epoch", oldEpoch)));
        WsClient.Resumption resumed = bob.awaitResumed();
        assertThat(resumed.replayed()).as("what a resume from the old stream replays")
                .doesNotContain("secret plan 1", "secret plan 2", "secret plan 3");
        assertThat(resumed.recovered()).as("the old stream is not this room's").isFalse();
        assertThat(resumed.resumed().path("data").path("epoch").asText()).isNotEqualTo(oldEpoch);
    }

    @Test
    void aDefaultRoomDroppedFromTheConfigurationLeavesNothingForARoomCreatedLaterUnderItsId() {
        serverWith(Map.of("default_rooms", "general,legacy"));
        try (WsClient alice = server.connect("alice", "legacy")) {
            alice.send(Map.of("type", "room_message", "id", "l-1", "room_id", "legacy", "content", "legacy notes"));
            ackFor(alice, "l-1");
        }
        server.close();

        serverWith(Map.of("default_rooms", "general"));
        Http http = server.http();
        String admin = server.adminToken("root");
        assertThat(http.post("/ws/rooms", admin, "{\"id\":\"legacy\"}").status()).isEqualTo(201);
        assertThat(contents(http.get("/ws/rooms/legacy/messages", admin))).isEmpty();
        assertThat(contents(http.get("/ws/messages/search?q=legacy", admin))).isEmpty();
    }

    @Test
    void historyAndSearchFollowTheUsersMembershipNotTheirConnections() {
        Http http = server().http();
        String root = server().adminToken("root");
        String alice = server().token("alice");
        assertThat(http.post("/ws/rooms", root, "{\"id\":\"team\"}").status()).isEqualTo(201);

        // Alice joins with no connection at all: recorded, nothing moved.
        Http.Response joined = http.post("/ws/rooms/team/join", alice, "");
        assertThat(joined.status()).isEqualTo(200);
        assertThat(joined.data().path("connections").asInt()).isZero();
        try (WsClient bob = server().connect("bob", "team")) {
            bob.send(Map.of("type", "room_message", "id", "t-1", "room_id", "team", "content", "minutes of the sync"));
            ackFor(bob, "t-1");

            assertThat(contents(http.get("/ws/rooms/team/messages", alice))).as("alice, offline, is a member")
                    .containsExactly("minutes of the sync");
            assertThat(contents(http.get("/ws/messages/search?q=minutes", alice))).containsExactly("minutes of the sync");
            Http.Response outsider = http.get("/ws/rooms/team/messages", server().token("carol"));
            assertThat(outsider.status()).isEqualTo(403);
            assertThat(outsider.errorCode()).isEqualTo("forbidden");
            assertThat(contents(http.get("/ws/messages/search?q=minutes", server().token("carol")))).isEmpty();

            // Her next connection, made for another room, is in the room too and gets its messages.
            try (WsClient aliceOnline = server().connect("alice", "general")) {
                JsonNode entered = aliceOnline.awaitType("joined", "team");
                assertThat(entered.path("data").has("ref")).isFalse();
                bob.send(Map.of("type", "room_message", "id", "t-2", "room_id", "team", "content", "alice, you there?"));
                assertThat(aliceOnline.awaitType("room_message", "team").path("content").asText())
                        .isEqualTo("alice, you there?");

                // Leaving over the WebSocket ends the membership, not just this connection's presence.
                aliceOnline.send(Map.of("type", "leave_room", "room_id", "team", "id", "l-1"));
                aliceOnline.awaitType("left", "team");
            }
            Http.Response formerMember = http.get("/ws/rooms/team/messages", alice);
            assertThat(formerMember.status()).isEqualTo(403);
            assertThat(contents(http.get("/ws/messages/search?q=minutes", alice))).isEmpty();

            // And over REST, for a user who is offline.
            assertThat(http.post("/ws/rooms/team/join", alice, "").status()).isEqualTo(200);
            assertThat(http.get("/ws/rooms/team/messages", alice).status()).isEqualTo(200);
            assertThat(http.post("/ws/rooms/team/leave", alice, "").status()).isEqualTo(200);
            assertThat(http.get("/ws/rooms/team/messages", alice).status()).isEqualTo(403);
            try (WsClient aliceAgain = server().connect("alice", "general")) {
                aliceAgain.expectNothingPendingExcept("user_joined", "user_left", "presence");
            }
        }
    }

    /**
     * edit_message over a real socket: the other member gets the message_update with edited_at, a non-author is
     * refused, and history (through whichever store) shows the new text at the message's place.
     */
    @Test
    void theAuthorsEditReachesTheRoomAndHistoryShowsTheNewTextWhileSomeoneElsesIsForbidden() {
        Http http = server().http();
        try (WsClient alice = server().connect("alice", "general");
             WsClient bob = server().connect("bob", "general")) {
            alice.send(Map.of("type", "room_message", "id", "r-1", "room_id", "general", "content", "helo"));
            String id = ackFor(alice, "r-1").path("data").path("id").asText();
            assertThat(id).isNotEmpty();

            bob.send(Map.of("type", "edit_message", "id", "e-bob", "room_id", "general", "data", Map.of("id", id),
                    "content", "bob was here"));
            JsonNode refused = bob.await(m -> "error".equals(m.path("type").asText()), "bob's refusal");
            assertThat(refused.path("data").path("code").asText()).isEqualTo("forbidden");
            assertThat(refused.path("data").path("ref").asText()).isEqualTo("e-bob");

            alice.send(Map.of("type", "edit_message", "id", "e-1", "room_id", "general", "data", Map.of("id", id),
                    "content", "hello"));
            JsonNode update = bob.await(m -> "message_update".equals(m.path("type").asText()), "the edit");
            assertThat(update.path("id").asText()).isEqualTo(id);
            assertThat(update.path("room_id").asText()).isEqualTo("general");
            assertThat(update.path("content").asText()).isEqualTo("hello");
            assertThat(update.path("data").path("edited_at").asText()).isNotEmpty();

            org.awaitility.Awaitility.await().untilAsserted(() -> {
                Http.Response history = http.get("/ws/rooms/general/messages", server().token("alice"));
                assertThat(contents(history)).containsExactly("hello");
                assertThat(history.data().path("messages").get(0).path("data").path("edited_at").asText())
                        .isEqualTo(update.path("data").path("edited_at").asText());
            });
        }
    }

    /**
     * delete_message over a real socket: a non-author without a moderator role is refused, an admin (a moderator by
     * default) deletes, the other member gets message_deleted, and history and search no longer have the content.
     */
    @Test
    void aModeratorsDeleteReachesTheRoomAndLeavesOnlyDeletedTrueInHistoryAndSearch() {
        Http http = server().http();
        try (WsClient alice = server().connect("alice", "general");
             WsClient bob = server().connect("bob", "general");
             WsClient root = server().connect("root", "general", "admin")) {
            alice.send(Map.of("type", "room_message", "id", "r-1", "room_id", "general", "content", "zyxwv spam"));
            String id = ackFor(alice, "r-1").path("data").path("id").asText();

            bob.send(Map.of("type", "delete_message", "id", "d-bob", "room_id", "general", "data", Map.of("id", id)));
            JsonNode refused = bob.await(m -> "error".equals(m.path("type").asText()), "bob's refusal");
            assertThat(refused.path("data").path("code").asText()).isEqualTo("forbidden");

            root.send(Map.of("type", "delete_message", "id", "d-root", "room_id", "general",
                    "data", Map.of("id", id)));
            JsonNode deleted = bob.await(m -> "message_deleted".equals(m.path("type").asText()), "the deletion");
            assertThat(deleted.path("id").asText()).isEqualTo(id);
            assertThat(deleted.path("room_id").asText()).isEqualTo("general");
            assertThat(deleted.has("content")).isFalse();

            org.awaitility.Awaitility.await().untilAsserted(() -> {
                JsonNode kept = http.get("/ws/rooms/general/messages", server().token("alice")).data()
                        .path("messages").get(0);
                assertThat(kept.path("id").asText()).isEqualTo(id);
                assertThat(kept.path("content").asText("")).isEmpty();
                assertThat(kept.path("data").path("deleted").asBoolean()).isTrue();
            });
            assertThat(contents(http.get("/ws/messages/search?q=zyxwv", server().adminToken("root"))))
                    .as("search no longer finds it").isEmpty();
        }
    }
}
