package dev.relay.server.assistant;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.FakeModel;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The assistant on a real server with real sockets, against {@link FakeModel}, a local OpenAI-compatible streaming
 * server speaking the API's wire format: the order of a reply's frames, the final text kept for resume, history and
 * search (and across a restart with SQLite), cancel stopping the upstream request, the timeout, error paths, the
 * limits on both sides, the context limited to what the asker may read, and the commands.
 */
class AssistantIT {
    private static final java.util.concurrent.atomic.AtomicInteger QUESTIONS = new java.util.concurrent.atomic.AtomicInteger();
    private FakeModel model;
    private final List<TestServer> servers = new ArrayList<>();

    @BeforeEach
    void model() throws Exception {
        model = new FakeModel();
    }

    @AfterEach
    void stop() {
        servers.forEach(TestServer::close);
        model.close();
    }

    private TestServer server(Map<String, String> more) {
        Map<String, String> config = new HashMap<>(Map.of(
                "assistant_enabled", "true",
                "assistant_base_url", model.baseUrl(),
                "assistant_model", "test-model",
                "assistant_api_key", "sk-test-key",
                "assistant_update_interval", "100ms",
                "enable_rate_limit", "false"));
        config.putAll(more);
        TestServer server = TestServer.start(config);
        servers.add(server);
        // Online once the first probe found the model server: until then it is in no room to answer from.
        await().until(() -> server.service().assistant().orElseThrow().online());
        return server;
    }

    /** The assistant's reply to {@code question}: its first frame, the updates in order, the last one. */
    record Reply(JsonNode first, List<JsonNode> updates) {
        JsonNode last() {
            return updates.getLast();
        }

        String id() {
            return first.path("id").asText();
        }

        List<JsonNode> streaming() {
            return updates.stream().filter(u -> state(u).equals("streaming")).toList();
        }
    }

    static String state(JsonNode frame) {
        return frame.path("data").path("stream").path("state").asText();
    }

    /** Reads the reply's first frame (a room or private message from the assistant) answering {@code questionId}. */
    static JsonNode replyTo(WsClient client, String questionId) {
        return client.await(m -> (m.path("type").asText().equals("room_message")
                        || m.path("type").asText().equals("private_message"))
                        && m.path("from").asText().equals("assistant")
                        && m.path("data").path("stream").path("reply_to").asText().equals(questionId),
                "the assistant's reply to " + questionId);
    }

    /** Reads the reply's updates until the one that is not streaming. */
    static Reply readReply(WsClient client, String questionId) {
        JsonNode first = replyTo(client, questionId);
        List<JsonNode> updates = new ArrayList<>();
        while (updates.isEmpty() || state(updates.getLast()).equals("streaming")) {
            updates.add(client.await(m -> m.path("type").asText().equals("message_update")
                    && m.path("id").asText().equals(first.path("id").asText()), "an update of the reply"));
        }
        return new Reply(first, updates);
    }

    /** Sends a room message and returns its server id (from its echo). */
    static String ask(WsClient client, String roomId, String content) {
        // A fresh client id each time: a reused one is a retry, acknowledged and not delivered again.
        client.send(Map.of("type", "room_message", "room_id", roomId, "content", content,
                "id", "q" + QUESTIONS.incrementAndGet()));
        return client.await(m -> m.path("type").asText().equals("room_message")
                && m.path("content").asText().equals(content), "the question's echo").path("id").asText();
    }

    @Test
    void a_question_is_answered_in_place_growing_update_by_update_and_the_final_text_is_what_history_holds() {
        model.then(FakeModel.answer(Duration.ofMillis(250), "Relay ", "is ", "a ", "WebSocket ", "server."));
        TestServer server = server(Map.of());
        try (WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            String question = ask(alice, "general", "@assistant what is relay?");

            Reply atAlice = readReply(alice, question);
            Reply atBob = readReply(bob, question);

            JsonNode first = atAlice.first();
            assertThat(first.path("type").asText()).isEqualTo("room_message");
            assertThat(first.path("content").asText()).isEmpty();
            assertThat(first.path("seq").asLong()).isPositive();
            assertThat(first.path("epoch").asText()).isNotEmpty();
            assertThat(state(first)).isEqualTo("streaming");
            // Each streaming update holds the whole text so far, and each grows on the one before.
            List<String> texts = atAlice.updates().stream().map(u -> u.path("content").asText()).toList();
            for (int i = 1; i < texts.size(); i++) {
                assertThat(texts.get(i)).startsWith(texts.get(i - 1));
            }
            assertThat(atAlice.streaming()).as("the answer is seen growing").hasSizeGreaterThanOrEqualTo(2);
            assertThat(atAlice.streaming().getFirst().path("content").asText())
                    .isNotEqualTo("Relay is a WebSocket server.");
            assertThat(atAlice.last().path("content").asText()).isEqualTo("Relay is a WebSocket server.");
            assertThat(state(atAlice.last())).isEqualTo("done");
            assertThat(atAlice.last().path("room_id").asText()).isEqualTo("general");
            assertThat(atBob.id()).isEqualTo(atAlice.id());
            assertThat(atBob.last().path("content").asText()).isEqualTo("Relay is a WebSocket server.");

            // The request on the wire: the model, streaming, the key as a bearer token.
            JsonNode request = model.requests().getLast();
            assertThat(request.path("model").asText()).isEqualTo("test-model");
            assertThat(request.path("stream").asBoolean()).isTrue();
            assertThat(model.authorizations().getLast()).isEqualTo("Bearer sk-test-key");

            // History, search and resume hold the final text for that message id.
            String token = server.token("alice");
            await().untilAsserted(() -> {
                JsonNode page = server.http().get("/ws/rooms/general/messages", token).data();
                assertThat(page.toString()).contains("Relay is a WebSocket server.");
            });
            Http.Response search = server.http().get("/ws/messages/search?q=WebSocket", token);
            assertThat(search.body().toString()).contains(atAlice.id());
            try (WsClient resumed = WsClient.connect(server.connectUri("general", server.token("carol")))) {
                resumed.expectType("welcome");
                resumed.send(Map.of("type", "resume", "room_id", "general",
                        "data", Map.of("since", first.path("seq").asLong() - 1, "epoch", first.path("epoch").asText())));
                WsClient.Resumption replay = resumed.awaitResumed();
                assertThat(replay.replayed()).contains("Relay is a WebSocket server.");
            }
        }
    }

    @Test
    void updates_come_at_most_one_per_interval_however_fast_the_model_streams() {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            pieces.add("w" + i + " ");
        }
        model.then(FakeModel.answer(Duration.ofMillis(10), pieces.toArray(String[]::new)));
        TestServer server = server(Map.of("assistant_update_interval", "250ms"));
        try (WsClient alice = server.connect("alice", "general")) {
            long start = System.nanoTime();
            Reply reply = readReply(alice, ask(alice, "general", "@assistant count"));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(reply.last().path("content").asText()).isEqualTo(String.join("", pieces));
            // 40 pieces took about 400 ms: at one update per 250 ms there is room for at most elapsed/250 + 1.
            assertThat(reply.streaming()).hasSizeLessThanOrEqualTo((int) (elapsedMs / 250) + 1);
            assertThat(reply.streaming().size()).isLessThan(pieces.size() / 4);
        }
    }

    @Test
    void a_private_question_is_answered_privately_to_the_asker_alone() {
        model.then(FakeModel.answer(Duration.ofMillis(50), "Only ", "for ", "you."));
        TestServer server = server(Map.of());
        try (WsClient bob = server.connect("bob", "general");
             WsClient carol = server.connect("carol", "general")) {
            bob.send(Map.of("type", "private_message", "to", "assistant", "content", "a secret question", "id", "p"));
            String question = bob.await(m -> m.path("type").asText().equals("private_message")
                    && m.path("from").asText().equals("bob"), "the echo").path("id").asText();

            Reply reply = readReply(bob, question);
            assertThat(reply.first().path("type").asText()).isEqualTo("private_message");
            assertThat(reply.first().path("to").asText()).isEqualTo("bob");
            assertThat(reply.last().path("to").asText()).isEqualTo("bob");
            assertThat(reply.last().path("content").asText()).isEqualTo("Only for you.");
            assertThat(carol.drain(Duration.ofMillis(300)).toString()).doesNotContain("Only for you");
            await().untilAsserted(() -> assertThat(server.http().get("/ws/users/bob/messages?with=assistant",
                    server.token("bob")).body().toString()).contains("Only for you."));
        }
    }

    @Test
    void cancel_by_the_asker_stops_the_upstream_request_and_ends_the_reply_cancelled() {
        model.then(FakeModel.endless(Duration.ofMillis(50), "and ", "on "));
        TestServer server = server(Map.of());
        try (WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            String question = ask(alice, "general", "@assistant never stop");
            JsonNode first = replyTo(alice, question);
            alice.await(m -> m.path("type").asText().equals("message_update"), "the answer growing");

            bob.send(Map.of("type", "cancel", "data", Map.of("id", first.path("id").asText())));
            JsonNode refused = bob.awaitType("error");
            assertThat(refused.path("data").path("code").asText()).isEqualTo("forbidden");
            assertThat(model.abandoned()).as("bob cannot stop alice's answer").isZero();

            alice.send(Map.of("type", "cancel", "data", Map.of("id", first.path("id").asText())));
            JsonNode last = alice.await(m -> m.path("type").asText().equals("message_update")
                    && !state(m).equals("streaming"), "the last update");
            assertThat(state(last)).isEqualTo("cancelled");
            // The text stops where the cancel caught it: at least the piece seen growing, and what came before.
            assertThat(last.path("content").asText()).startsWith("and ");
            await().until(() -> model.abandoned() == 1); // the model server saw the client go away

            alice.send(Map.of("type", "cancel", "data", Map.of("id", first.path("id").asText())));
            assertThat(alice.awaitType("error").path("data").path("code").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void an_admin_may_cancel_anyones_answer() {
        model.then(FakeModel.endless(Duration.ofMillis(50), "x "));
        TestServer server = server(Map.of());
        try (WsClient alice = server.connect("alice", "general");
             WsClient root = server.connect("root", "general", "admin")) {
            String question = ask(alice, "general", "@assistant go");
            JsonNode first = replyTo(alice, question);
            root.send(Map.of("type", "cancel", "data", Map.of("id", first.path("id").asText())));
            JsonNode last = alice.await(m -> m.path("type").asText().equals("message_update")
                    && !state(m).equals("streaming"), "the last update");
            assertThat(state(last)).isEqualTo("cancelled");
        }
    }

    @Test
    void an_answer_past_the_timeout_ends_in_error_and_the_request_is_stopped() {
        model.then(FakeModel.endless(Duration.ofMillis(50), "slow "));
        TestServer server = server(Map.of("assistant_timeout", "1s"));
        try (WsClient alice = server.connect("alice", "general")) {
            Reply reply = readReply(alice, ask(alice, "general", "@assistant take your time"));
            assertThat(state(reply.last())).isEqualTo("error");
            assertThat(reply.last().path("data").path("stream").path("error").asText()).contains("within 1s");
            await().until(() -> model.abandoned() == 1);
        }
    }

    @Test
    void upstream_errors_end_the_reply_in_error_with_the_servers_reason_and_are_counted() {
        model.then(FakeModel.failure(500, "model exploded"));
        model.then(FakeModel.failure(401, "Incorrect API key provided"));
        model.then(FakeModel.broken("half an ", "answer"));
        TestServer server = server(Map.of());
        try (WsClient alice = server.connect("alice", "general")) {
            Reply five = readReply(alice, ask(alice, "general", "@assistant one"));
            assertThat(state(five.last())).isEqualTo("error");
            assertThat(five.last().path("data").path("stream").path("error").asText())
                    .isEqualTo("the model server answered 500: model exploded");

            Reply four = readReply(alice, ask(alice, "general", "@assistant two"));
            assertThat(four.last().path("data").path("stream").path("error").asText())
                    .isEqualTo("the model server answered 401: Incorrect API key provided");

            Reply broken = readReply(alice, ask(alice, "general", "@assistant three"));
            assertThat(state(broken.last())).isEqualTo("error");
            assertThat(broken.last().path("data").path("stream").path("error").asText()).contains("broke off");
            assertThat(broken.last().path("content").asText()).isEqualTo("half an answer");

            assertThat(server.scrape().value("relay_assistant_answers_total", "outcome", "error")).isEqualTo(3);
            assertThat(server.scrape().value("relay_assistant_upstream_errors_total")).isEqualTo(3);
            // Delivery goes on: a plain message still reaches the room.
            assertThat(ask(alice, "general", "still here")).isNotEmpty();
        }
    }

    @Test
    void an_unreachable_model_server_ends_the_reply_in_error_and_takes_the_assistant_offline() throws Exception {
        TestServer server = server(Map.of());
        String token = server.token("alice");
        assertThat(server.http().get("/ws/users/assistant", token).data().path("connections").asInt()).isEqualTo(1);
        model.close(); // the endpoint goes away: connection refused
        try (WsClient alice = server.connect("alice", "general")) {
            Reply reply = readReply(alice, ask(alice, "general", "@assistant anyone?"));
            assertThat(state(reply.last())).isEqualTo("error");
            assertThat(reply.last().path("data").path("stream").path("error").asText()).contains("could not be reached");
        }
    }

    @Test
    void the_assistant_is_online_and_a_member_while_its_model_server_answers() {
        TestServer server = server(Map.of());
        String token = server.token("alice");
        JsonNode user = server.http().get("/ws/users/assistant", token).data();
        assertThat(user.path("connections").asInt()).isEqualTo(1);
        assertThat(user.path("name").asText()).isEqualTo("Assistant");
        assertThat(server.http().get("/ws/users/online", token).data().path("online_users").asInt()).isEqualTo(1);
        assertThat(server.http().get("/ws/rooms/general/members", token).body().toString()).contains("assistant");
    }

    @Test
    void a_model_server_down_at_start_keeps_the_assistant_offline() {
        model.modelsDown(true);
        Map<String, String> config = new HashMap<>(Map.of("assistant_enabled", "true",
                "assistant_base_url", model.baseUrl(), "assistant_model", "test-model"));
        TestServer server = TestServer.start(config);
        servers.add(server);
        String token = server.token("alice");
        await().during(Duration.ofMillis(500)).until(() -> !server.service().assistant().orElseThrow().online());
        assertThat(server.http().get("/ws/users/online", token).data().path("online_users").asInt()).isZero();
    }

    @Test
    void over_the_rate_per_user_a_question_is_refused_with_retry_after_and_others_may_still_ask() {
        TestServer server = server(Map.of("assistant_rate_per_user", "2"));
        try (WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            readReply(alice, ask(alice, "general", "@assistant one"));
            readReply(alice, ask(alice, "general", "@assistant two"));
            ask(alice, "general", "@assistant three");
            JsonNode limited = alice.awaitType("error");
            assertThat(limited.path("data").path("code").asText()).isEqualTo("rate_limited");
            assertThat(limited.path("data").path("retry_after_ms").asLong()).isPositive();
            assertThat(model.requests()).hasSize(2);

            Reply bobs = readReply(bob, ask(bob, "general", "@assistant mine"));
            assertThat(state(bobs.last())).isEqualTo("done");
            assertThat(server.scrape().value("relay_assistant_refused_total", "reason", "rate_limited")).isEqualTo(1);
        }
    }

    @Test
    void over_max_concurrent_a_question_is_refused_busy_until_a_slot_frees() {
        model.then(FakeModel.endless(Duration.ofMillis(50), "busy "));
        TestServer server = server(Map.of("assistant_max_concurrent", "1"));
        try (WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            JsonNode first = replyTo(alice, ask(alice, "general", "@assistant long one"));
            // Cancelled once the request streams: the script it takes must not be left for the next question.
            alice.await(m -> m.path("type").asText().equals("message_update"), "the answer growing");
            ask(bob, "general", "@assistant me too");
            JsonNode busy = bob.awaitType("error");
            assertThat(busy.path("data").path("code").asText()).isEqualTo("busy");

            alice.send(Map.of("type", "cancel", "data", Map.of("id", first.path("id").asText())));
            alice.await(m -> m.path("type").asText().equals("message_update") && state(m).equals("cancelled"),
                    "the cancelled end");
            await().until(() -> server.service().assistant().orElseThrow().stats().active() == 0);
            Reply now = readReply(bob, ask(bob, "general", "@assistant now?"));
            assertThat(state(now.last())).isEqualTo("done");
        }
    }

    @Test
    void the_context_is_that_rooms_newest_messages_only_never_another_rooms_or_conversation() {
        TestServer server = server(Map.of("assistant_context_messages", "3"));
        assertThat(server.http().post("/ws/rooms", server.adminToken("ops"), "{\"id\":\"secret-room\"}").status())
                .isEqualTo(201);
        try (WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "secret-room");
             WsClient carol = server.connect("carol", "general")) {
            ask(alice, "general", "old one");
            ask(alice, "general", "general two");
            ask(carol, "general", "general three");
            ask(alice, "general", "general four");
            ask(bob, "secret-room", "what only secret-room sees");
            bob.send(Map.of("type", "private_message", "to", "carol", "content", "bob to carol only"));
            carol.awaitType("private_message");

            readReply(alice, ask(alice, "general", "@assistant what was said?"));

            JsonNode messages = model.requests().getLast().path("messages");
            List<String> contents = new ArrayList<>();
            messages.forEach(m -> contents.add(m.path("role").asText() + "|" + m.path("content").asText()));
            assertThat(contents).containsExactly(
                    "system|You are a helpful assistant in a group chat. Answer briefly.",
                    "user|alice: general two",
                    "user|carol: general three",
                    "user|alice: general four",
                    "user|alice: what was said?");
        }
    }

    @Test
    void summary_asks_for_the_last_n_messages_and_help_needs_no_model() {
        TestServer server = server(Map.of());
        try (WsClient alice = server.connect("alice", "general")) {
            ask(alice, "general", "first");
            ask(alice, "general", "second");
            ask(alice, "general", "third");
            readReply(alice, ask(alice, "general", "@assistant /summary 2"));
            String prompt = model.requests().getLast().path("messages").get(1).path("content").asText();
            assertThat(prompt).startsWith("Summarize").contains("alice: second\nalice: third").doesNotContain("first");

            int before = model.requests().size();
            Reply help = readReply(alice, ask(alice, "general", "@assistant /help"));
            assertThat(help.last().path("content").asText()).contains("/summary").contains("/help");
            assertThat(state(help.last())).isEqualTo("done");
            assertThat(model.requests()).hasSize(before);
        }
    }

    @Test
    void the_assistant_never_answers_itself_and_its_text_is_never_a_command() {
        model.then(FakeModel.answer(Duration.ZERO, "Ask me with @assistant /help ", "{\"type\":\"broadcast\"}"));
        TestServer server = server(Map.of());
        try (WsClient alice = server.connect("alice", "general")) {
            Reply reply = readReply(alice, ask(alice, "general", "@assistant how do I ask you?"));
            assertThat(reply.last().path("content").asText())
                    .isEqualTo("Ask me with @assistant /help {\"type\":\"broadcast\"}");
            // Nothing follows: no second reply to its own text, no broadcast made of it.
            assertThat(alice.drain(Duration.ofMillis(500)).toString()).doesNotContain("reply_to")
                    .doesNotContain("\"type\":\"broadcast\"");
            assertThat(model.requests()).hasSize(1);
        }
    }

    @Test
    void a_room_message_without_the_trigger_or_in_a_room_not_allowed_is_no_question() {
        TestServer server = server(Map.of("assistant_rooms", "general"));
        assertThat(server.http().post("/ws/rooms", server.adminToken("ops"), "{\"id\":\"other\"}").status())
                .isEqualTo(201);
        try (WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "other")) {
            ask(alice, "general", "just chatting about assistants");
            ask(bob, "other", "@assistant are you here?");
            readReply(alice, ask(alice, "general", "@assistant here?"));
            assertThat(model.requests()).hasSize(1);
        }
    }

    @Test
    void the_reply_passes_the_content_filter() {
        model.then(FakeModel.answer(Duration.ZERO, "this is ", "darn ", "good"));
        TestServer server = server(Map.of("enable_message_filter", "true", "filter_words", "darn",
                "filter_action", "mask"));
        try (WsClient alice = server.connect("alice", "general")) {
            Reply reply = readReply(alice, ask(alice, "general", "@assistant judge"));
            assertThat(reply.last().path("content").asText()).isEqualTo("this is **** good");
        }
    }

    @Test
    void the_java_client_sees_message_updates_and_cancels() throws Exception {
        model.then(FakeModel.answer(Duration.ofMillis(100), "from ", "java"));
        model.then(FakeModel.endless(Duration.ofMillis(50), "more "));
        TestServer server = server(Map.of());
        List<dev.relay.client.Message> updates = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<dev.relay.client.Message> replies = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (dev.relay.client.RelayClient alice = dev.relay.client.RelayClient
                .builder(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/ws/connect"))
                .token(server.token("alice")).room("general").build()) {
            alice.onMessageUpdate(updates::add);
            alice.onMessage(m -> {
                if ("assistant".equals(m.from())) {
                    replies.add(m);
                }
            });
            alice.connect().get(10, java.util.concurrent.TimeUnit.SECONDS);
            alice.sendToRoom("general", "@assistant hello java").get(10, java.util.concurrent.TimeUnit.SECONDS);
            await().until(() -> updates.stream().anyMatch(u -> state(u).equals("done")));
            dev.relay.client.Message done = updates.stream().filter(u -> state(u).equals("done")).findFirst()
                    .orElseThrow();
            assertThat(done.type()).isEqualTo("message_update");
            assertThat(done.id()).isEqualTo(replies.getFirst().id());
            assertThat(done.roomId()).isEqualTo("general");
            assertThat(done.content()).isEqualTo("from java");

            alice.sendToRoom("general", "@assistant go on").get(10, java.util.concurrent.TimeUnit.SECONDS);
            await().until(() -> replies.size() == 2 && updates.stream()
                    .anyMatch(u -> u.id().equals(replies.get(1).id()))); // streaming: the request is under way
            assertThat(alice.cancel(replies.get(1).id()).get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            await().until(() -> updates.stream().anyMatch(u -> u.id().equals(replies.get(1).id())
                    && state(u).equals("cancelled")));
            await().until(() -> model.abandoned() == 1);
        }
    }

    private static String state(dev.relay.client.Message update) {
        return update.data().path("stream").path("state").asText();
    }

    @Test
    void the_final_text_is_persisted_and_read_back_after_a_restart(@TempDir Path data) {
        model.then(FakeModel.answer(Duration.ofMillis(20), "kept ", "for ", "good"));
        Map<String, String> persistent = Map.of("enable_message_persistence", "true",
                "data_dir", data.toString());
        TestServer first = server(persistent);
        String replyId;
        JsonNode placed;
        try (WsClient alice = first.connect("alice", "general")) {
            Reply reply = readReply(alice, ask(alice, "general", "@assistant remember"));
            replyId = reply.id();
            placed = reply.first();
        }
        first.close();
        servers.remove(first);

        TestServer second = server(persistent);
        JsonNode page = second.http().get("/ws/rooms/general/messages", second.token("alice")).data();
        List<String> kept = new ArrayList<>();
        page.path("messages").forEach(m -> {
            if (m.path("id").asText().equals(replyId)) {
                kept.add(m.path("content").asText() + "|" + state(m));
            }
        });
        assertThat(kept).containsExactly("kept for good|done");

        // A client resuming across the restart from just before the reply gets the final text replayed.
        try (WsClient back = WsClient.connect(second.connectUri("general", second.token("carol")))) {
            back.expectType("welcome");
            back.send(Map.of("type", "resume", "room_id", "general", "data",
                    Map.of("since", placed.path("seq").asLong() - 1, "epoch", placed.path("epoch").asText())));
            WsClient.Resumption replay = back.awaitResumed();
            assertThat(replay.recovered()).isTrue();
            assertThat(replay.replayed()).containsExactly("kept for good");
        }
    }
}
