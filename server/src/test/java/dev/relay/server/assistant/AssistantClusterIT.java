package dev.relay.server.assistant;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.testing.ExternalService;
import dev.relay.server.cluster.RedisKeys;
import dev.relay.server.testing.FakeModel;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.relay.server.assistant.AssistantIT.ask;
import static dev.relay.server.assistant.AssistantIT.readReply;
import static dev.relay.server.assistant.AssistantIT.replyTo;
import static dev.relay.server.assistant.AssistantIT.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes on the real Redis, both running the assistant against one {@link FakeModel}: each question is answered
 * once, by the node that accepted it (the only one whose event stream hears it), and the reply's frames reach the
 * room's members on the other node; a cancel sent through the other node stops the answer where it runs.
 */
class AssistantClusterIT {
    private final String prefix = RedisKeys.freshPrefix();
    private final List<TestServer> nodes = new ArrayList<>();
    private FakeModel model;

    @BeforeEach
    void services() throws Exception {
        ExternalService.REDIS.assumeAvailable();
        model = new FakeModel();
    }

    @AfterEach
    void stop() {
        nodes.forEach(TestServer::close);
        RedisKeys.delete(prefix);
        if (model != null) {
            model.close();
        }
    }

    /** The engine's keys; {@link NatsAssistantClusterIT} runs every test with NATS carrying the messages. */
    Map<String, String> engine() {
        return Map.of("engine", "redis");
    }

    void engineServices() {
    }

    private TestServer node(String id) {
        engineServices();
        Map<String, String> config = new HashMap<>(engine());
        config.putAll(Map.of(
                "redis_url", RedisKeys.url(ExternalService.REDIS.port()),
                "redis_key_prefix", prefix,
                "node_id", id,
                "enable_rate_limit", "false"));
        config.putAll(Map.of("assistant_enabled", "true", "assistant_base_url", model.baseUrl(),
                "assistant_model", "test-model", "assistant_update_interval", "100ms"));
        TestServer node = TestServer.start(config);
        nodes.add(node);
        await().until(() -> node.service().assistant().orElseThrow().online());
        return node;
    }

    @Test
    void exactly_one_node_answers_and_members_on_both_nodes_see_the_answer_grow() {
        model.always(FakeModel.answer(Duration.ofMillis(150), "one ", "answer ", "only"));
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general")) {
            String question = ask(alice, "general", "@assistant who answers?");

            AssistantIT.Reply atAlice = readReply(alice, question);
            AssistantIT.Reply atBob = readReply(bob, question);
            assertThat(atBob.id()).isEqualTo(atAlice.id());
            assertThat(atBob.first().path("seq").asLong()).isEqualTo(atAlice.first().path("seq").asLong());
            assertThat(atBob.streaming()).as("bob, on the other node, sees it grow").isNotEmpty();
            assertThat(atBob.last().path("content").asText()).isEqualTo("one answer only");
            assertThat(state(atBob.last())).isEqualTo("done");

            // One answer: one request upstream and one reply in the room, whatever the other node heard.
            assertThat(bob.drain(Duration.ofMillis(500)).toString()).doesNotContain("reply_to");
            assertThat(model.requests()).hasSize(1);

            // Asked on b, answered by b: still once.
            String second = ask(bob, "general", "@assistant and you?");
            assertThat(readReply(alice, second).last().path("content").asText()).isEqualTo("one answer only");
            assertThat(model.requests()).hasSize(2);
            // The answering node counts an answer once its last update is out, which the other node may show first.
            await().untilAsserted(() -> assertThat(a.service().assistant().orElseThrow().stats().answers("done")
                    + b.service().assistant().orElseThrow().stats().answers("done")).isEqualTo(2));
            assertThat(b.service().assistant().orElseThrow().stats().answers("done")).isEqualTo(1);
        }
    }

    @Test
    void a_cancel_sent_through_the_other_node_stops_the_answer_where_it_runs() {
        model.then(FakeModel.endless(Duration.ofMillis(50), "more "));
        TestServer a = node("a");
        TestServer b = node("b");
        try (WsClient alice = a.connect("alice", "general");
             WsClient aliceOnB = b.connect("alice", "general")) {
            String question = ask(alice, "general", "@assistant go on");
            JsonNode first = replyTo(aliceOnB, question);
            // Once text flows the request is under way (a cancel before it starts stops it before it is made).
            aliceOnB.await(m -> m.path("type").asText().equals("message_update"), "the answer growing");

            aliceOnB.send(Map.of("type", "cancel", "data", Map.of("id", first.path("id").asText())));
            JsonNode last = aliceOnB.await(m -> m.path("type").asText().equals("message_update")
                    && !state(m).equals("streaming"), "the last update");
            assertThat(state(last)).isEqualTo("cancelled");
            await().until(() -> model.abandoned() == 1);
        }
    }
}
