package dev.relay.server.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.server.config.IntegrationConfig;
import dev.relay.server.config.ProxyConfig;
import dev.relay.server.testing.Backend;
import dev.relay.server.testing.Backend.Answer;
import dev.relay.server.testing.LogCapture;
import dev.relay.server.testing.RawWebSocket;
import dev.relay.server.testing.Prometheus;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The connect, publish and rpc proxies of a real server, asking a real HTTP backend started by each test. */
class ProxiesIT {
    private final List<AutoCloseable> running = new ArrayList<>();
    private Backend backend;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : running.reversed()) {
            closeable.close();
        }
    }

    // ---- connect

    @Test
    void theConnectProxyDecidesWhoConnectsAndSeesOnlyTheAllowedHeaders() {
        backend = backend(sessions());
        TestServer server = start(Map.of("proxy_connect_url", backend.url("/connect"),
                "proxy_connect_headers", "X-Tenant"));

        try (WsClient carol = WsClient.connect(server.connectUriWithQuery("room_id=general&foo=bar&token=carol-s"),
                Map.of("X-Tenant", "t1", "X-Other", "secret"));
             WsClient alice = WsClient.connect(server.connectUriWithQuery("token=alice-s"))) {
            carol.expectType("welcome");
            alice.expectType("welcome");
            carol.send(Map.of("type", "room_message", "room_id", "general", "id", "m", "content", "hi"));
            JsonNode seen = alice.awaitType("room_message");
            assertThat(seen.path("from").asText()).as("the backend's user_id, not a token's").isEqualTo("carol");
        }
        JsonNode asked = backend.requestsTo("/connect").getFirst().json();
        assertThat(asked.path("client_id").asText()).isNotBlank();
        assertThat(asked.path("remote_addr").asText()).isEqualTo("127.0.0.1");
        assertThat(asked.path("headers").toString()).isEqualTo("{\"x-tenant\":\"t1\"}");
        assertThat(asked.path("query").toString()).isEqualTo("{\"room_id\":\"general\",\"foo\":\"bar\"}");
        assertThat(asked.path("token").asText()).isEqualTo("carol-s");
        assertThat(server.scrape().value("relay_proxy_calls_total", "proxy", "connect", "outcome", "accepted"))
                .isEqualTo(2.0);
        assertThat(server.scrape().value("relay_proxy_latency_seconds_count", "proxy", "connect")).isEqualTo(2.0);
    }

    @Test
    void theConnectProxyRefusesWithItsCodeBeforeTheUpgrade() throws Exception {
        backend = backend(sessions());
        TestServer server = start(Map.of("proxy_connect_url", backend.url("/connect")));

        try (RawWebSocket banned = RawWebSocket.open(server.port(), "/ws/connect?token=banned", Map.of());
             RawWebSocket unknown = RawWebSocket.open(server.port(), "/ws/connect?token=nobody", Map.of())) {
            assertThat(banned.handshake().status()).isEqualTo(403);
            assertThat(banned.handshake().json().path("error").path("code").asText()).isEqualTo("banned");
            assertThat(banned.handshake().json().path("error").path("message").asText()).isEqualTo("go away");
            assertThat(unknown.handshake().status()).isEqualTo(401);
            assertThat(unknown.handshake().json().path("error").path("code").asText()).isEqualTo("unauthorized");
        }
        assertThat(server.scrape().value("relay_proxy_calls_total", "proxy", "connect", "outcome", "refused"))
                .isEqualTo(2.0);
    }

    @Test
    void aConnectProxyThatIsDownOrTooSlowRefusesWithUnavailableUnlessItFailsOpen() throws Exception {
        backend = backend(request -> request.json().path("token").asText().equals("slow")
                ? new Answer(200, "{\"result\":{\"user_id\":\"late\"}}", Duration.ofSeconds(3))
                : Answer.status(500));
        TestServer closed = start(Map.of("proxy_connect_url", backend.url("/connect"),
                "proxy_connect_timeout", "200ms"));
        TestServer open = start(Map.of("proxy_connect_url", backend.url("/connect"),
                "proxy_connect_fail_open", "true"));

        try (RawWebSocket down = RawWebSocket.open(closed.port(), "/ws/connect?token=" + closed.token("alice"), Map.of());
             RawWebSocket slow = RawWebSocket.open(closed.port(), "/ws/connect?token=slow", Map.of());
             RawWebSocket withJwt = RawWebSocket.open(open.port(), "/ws/connect?token=" + open.token("alice"), Map.of());
             RawWebSocket withoutJwt = RawWebSocket.open(open.port(), "/ws/connect", Map.of())) {
            assertThat(down.handshake().status()).as("fail-closed: a valid JWT is not enough").isEqualTo(503);
            assertThat(down.handshake().json().path("error").path("code").asText()).isEqualTo("unavailable");
            assertThat(slow.handshake().status()).as("timeout").isEqualTo(503);
            assertThat(withJwt.handshake().status()).as("fail-open: judged by the JWT").isEqualTo(101);
            assertThat(withoutJwt.handshake().status()).isEqualTo(401);
        }
        assertThat(closed.scrape().value("relay_proxy_calls_total", "proxy", "connect", "outcome", "unavailable"))
                .isEqualTo(2.0);
    }

    @Test
    void withoutValidJwtModeAsksTheBackendOnlyForUpgradesWithoutAValidToken() throws Exception {
        backend = backend(sessions());
        TestServer server = start(Map.of("proxy_connect_url", backend.url("/connect"),
                "proxy_connect_mode", "without_valid_jwt"));

        server.connect("alice", "general").close();
        assertThat(backend.requests).as("a valid JWT connects without asking").isEmpty();
        try (WsClient carol = WsClient.connect(server.connectUriWithQuery("token=carol-s"))) {
            carol.expectType("welcome");
        }
        assertThat(backend.requests).hasSize(1);
    }

    @Test
    void theBackendsDataReachesTheClientInItsWelcomeAsConnectDataButNeverActsAsIdentity() {
        backend = backend(request -> switch (request.json().path("token").asText()) {
            // data that tries to pass for identity: it must stay a note for the client, nothing more
            case "dana-s" -> Answer.ok("{\"result\":{\"user_id\":\"dana\",\"data\":{\"plan\":\"pro\","
                    + "\"user_id\":\"mallory\",\"roles\":[\"admin\"],\"client_id\":\"x\"}}}");
            case "text-s" -> Answer.ok("{\"result\":{\"user_id\":\"tess\",\"data\":\"just a string\"}}");
            default -> Answer.ok("{\"result\":{\"user_id\":\"alice\"}}");
        });
        TestServer server = start(Map.of("proxy_connect_url", backend.url("/connect")));

        try (WsClient dana = WsClient.connect(server.connectUriWithQuery("token=dana-s"));
             WsClient tess = WsClient.connect(server.connectUriWithQuery("token=text-s"));
             WsClient alice = WsClient.connect(server.connectUriWithQuery("token=alice-s"))) {
            JsonNode welcome = dana.expectType("welcome").path("data");
            assertThat(welcome.path("connect_data").toString())
                    .isEqualTo("{\"plan\":\"pro\",\"user_id\":\"mallory\",\"roles\":[\"admin\"],\"client_id\":\"x\"}");
            assertThat(welcome.path("user_id").asText()).as("the welcome's own fields stay the server's")
                    .isEqualTo("dana");
            assertThat(welcome.path("client_id").asText()).isNotEqualTo("x");
            assertThat(tess.expectType("welcome").path("data").path("connect_data").asText())
                    .isEqualTo("just a string");
            assertThat(alice.expectType("welcome").path("data").has("connect_data")).as("no data, no field")
                    .isFalse();
            dana.send(Map.of("type", "room_message", "room_id", "general", "id", "m", "content", "hi"));
            assertThat(alice.awaitType("room_message").path("from").asText()).isEqualTo("dana");
            dana.send(Map.of("type", "broadcast", "id", "b", "content", "all hands"));
            assertThat(dana.awaitType("error").path("data").path("code").asText())
                    .as("roles inside data grant nothing: broadcasting is for admins").isEqualTo("forbidden");
        }
    }

    @Test
    void connectDataUpToTheLimitIsCarriedAndOneByteMoreIsLeftOutLoggedWhileTheConnectionIsAccepted() {
        // {"s":"…"} is 8 bytes of JSON around the string.
        String atLimit = "a".repeat(ConnectProxy.MAX_CONNECT_DATA_BYTES - 8);
        String pastLimit = atLimit + "a";
        backend = backend(request -> {
            String token = request.json().path("token").asText();
            String padding = token.equals("big") ? pastLimit : atLimit;
            return Answer.ok("{\"result\":{\"user_id\":\"" + token + "\",\"data\":{\"s\":\"" + padding + "\"}}}");
        });
        TestServer server = start(Map.of("proxy_connect_url", backend.url("/connect")));

        try (LogCapture log = LogCapture.of(ConnectProxy.class);
             WsClient fits = WsClient.connect(server.connectUriWithQuery("token=fits"));
             WsClient big = WsClient.connect(server.connectUriWithQuery("token=big"))) {
            assertThat(fits.expectType("welcome").path("data").path("connect_data").path("s").asText())
                    .hasSize(ConnectProxy.MAX_CONNECT_DATA_BYTES - 8);
            JsonNode refused = big.expectType("welcome").path("data");
            assertThat(refused.path("user_id").asText()).as("still connected, as the backend said").isEqualTo("big");
            assertThat(refused.has("connect_data")).isFalse();
            assertThat(log.messages()).anySatisfy(line -> assertThat(line)
                    .contains("event=proxy_connect_data_dropped reason=too_large user=big")
                    .contains("bytes=" + (ConnectProxy.MAX_CONNECT_DATA_BYTES + 1))
                    .contains("limit=" + ConnectProxy.MAX_CONNECT_DATA_BYTES));
            assertThat(log.messages()).noneMatch(line -> line.contains("user=fits"));
        }
    }

    @Test
    void atMostTheBoundOfUpgradesWaitForTheConnectProxyAndOnePastItIsOverloadedAndCounted() {
        CountDownLatch release = new CountDownLatch(1);
        backend = backend(request -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.ok("{\"result\":{\"user_id\":\"" + request.json().path("client_id").asText() + "\"}}");
        });
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProxyClient client = new ProxyClient(new ObjectMapper(), registry);
        running.add(client);
        int bound = 3;
        ConnectProxy proxy = new ConnectProxy(new ProxyConfig(Optional.of(URI.create(backend.url("/connect"))),
                Duration.ofSeconds(30), List.of(), false), IntegrationConfig.CONNECT_ALWAYS, client,
                new ObjectMapper(), bound, ConnectProxy.MAX_CONNECT_DATA_BYTES);

        List<CompletableFuture<ConnectProxy.Decision>> waiting = new ArrayList<>();
        for (int i = 1; i <= bound; i++) {
            waiting.add(proxy.decide("c" + i, "127.0.0.1", List.of(), Map.of(), null));
        }
        await().until(() -> backend.requests.size() == bound);
        assertThat(waiting).as("at the bound, every call waits for the backend").noneMatch(CompletableFuture::isDone);
        assertThatThrownBy(() -> proxy.decide("c4", "127.0.0.1", List.of(), Map.of(), null))
                .isInstanceOfSatisfying(ProtocolException.class,
                        refused -> assertThat(refused.code()).isEqualTo(ErrorCode.OVERLOADED));
        assertThat(calls(registry, "overloaded")).isEqualTo(1.0);
        assertThat(backend.requests).as("the one past the bound was never sent").hasSize(bound);

        release.countDown();
        for (int i = 0; i < bound; i++) {
            assertThat(waiting.get(i).join()).isInstanceOfSatisfying(ConnectProxy.Decision.Accepted.class,
                    accepted -> assertThat(accepted.identity().userId()).startsWith("c"));
        }
        assertThat(proxy.decide("c5", "127.0.0.1", List.of(), Map.of(), null).join())
                .as("answered calls free their places").isInstanceOf(ConnectProxy.Decision.Accepted.class);
        assertThat(calls(registry, "accepted")).isEqualTo(bound + 1.0);
        assertThat(ConnectProxy.MAX_IN_FLIGHT).as("the production bound docs/integrations.md gives")
                .isEqualTo(1_000);
    }

    @Test
    void anAnswerUpToTheBoundIsReadAndOneByteLongerCountsAsTheBackendBeingDown() {
        int bound = 64;
        // {"result":"…"} is 13 bytes around the string.
        backend = backend(request -> Answer.ok("{\"result\":\""
                + "x".repeat(bound - 13 + request.json().path("params").asInt()) + "\"}"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProxyClient client = new ProxyClient(new ObjectMapper(), registry, bound);
        running.add(client);
        ProxyConfig rpc = new ProxyConfig(Optional.of(URI.create(backend.url("/rpc"))), Duration.ofSeconds(5),
                List.of(), false);

        ProxyAnswer atBound = client.call("rpc", rpc, Map.of("method", "pad", "params", 0)).join();
        ProxyAnswer pastBound = client.call("rpc", rpc, Map.of("method", "pad", "params", 1)).join();

        assertThat(atBound).isInstanceOfSatisfying(ProxyAnswer.Result.class,
                result -> assertThat(result.result().asText()).hasSize(bound - 13));
        assertThat(pastBound).isInstanceOfSatisfying(ProxyAnswer.Unavailable.class,
                down -> assertThat(down.reason()).isEqualTo("the answer is larger than " + bound + " bytes"));
        assertThat(registry.get("relay.proxy.calls").tag("proxy", "rpc").tag("outcome", "unavailable").counter()
                .count()).isEqualTo(1.0);
        assertThat(ProxyClient.MAX_ANSWER_BYTES).as("the production bound docs/integrations.md gives")
                .isEqualTo(1_048_576);
    }

    private static double calls(SimpleMeterRegistry registry, String outcome) {
        return registry.get("relay.proxy.calls").tag("proxy", "connect").tag("outcome", outcome).counter().count();
    }

    // ---- publish

    @Test
    void thePublishProxyRewritesOrRefusesMessagesBeforeTheyAreAccepted() {
        backend = backend(request -> {
            JsonNode body = request.json();
            return switch (body.path("content").asText()) {
                case "darn it" -> Answer.ok("{\"result\":{\"content\":\"**** it\",\"data\":{\"checked\":true}}}");
                case "buy now" -> Answer.ok("{\"error\":{\"code\":\"spam\",\"message\":\"no ads here\"}}");
                default -> Answer.ok("{\"result\":{}}");
            };
        });
        TestServer server = start(Map.of("proxy_publish_url", backend.url("/publish")));

        try (WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            alice.send(Map.of("type", "room_message", "room_id", "general", "id", "1", "content", "buy now"));
            JsonNode refused = alice.awaitType("error");
            assertThat(refused.path("data").path("code").asText()).isEqualTo("spam");
            assertThat(refused.path("data").path("ref").asText()).isEqualTo("1");
            assertThat(refused.path("content").asText()).isEqualTo("no ads here");
            alice.send(Map.of("type", "room_message", "room_id", "general", "id", "2", "content", "darn it",
                    "data", Map.of("k", 1)));
            alice.send(Map.of("type", "private_message", "to", "bob", "id", "3", "content", "hello bob"));
            JsonNode first = bob.awaitType("room_message");
            assertThat(first.path("content").asText()).as("the refused message never arrived").isEqualTo("**** it");
            assertThat(first.path("data").path("checked").asBoolean()).isTrue();
            assertThat(bob.awaitType("private_message").path("content").asText()).isEqualTo("hello bob");
        }
        List<Backend.Request> asked = backend.requestsTo("/publish");
        assertThat(asked).hasSize(3);
        JsonNode rewritten = asked.get(1).json();
        assertThat(rewritten.path("user_id").asText()).isEqualTo("alice");
        assertThat(rewritten.path("type").asText()).isEqualTo("room_message");
        assertThat(rewritten.path("room_id").asText()).isEqualTo("general");
        assertThat(rewritten.path("data").path("k").asInt()).isEqualTo(1);
        JsonNode direct = asked.get(2).json();
        assertThat(direct.path("type").asText()).isEqualTo("private_message");
        assertThat(direct.path("to").asText()).isEqualTo("bob");
        assertThat(direct.has("room_id")).isFalse();
    }

    @Test
    void aSlowPublishHoldsBackOnlyItsConnectionWhoseLaterMessagesKeepTheirOrder() {
        CountDownLatch release = new CountDownLatch(1);
        backend = backend(request -> {
            if (request.json().path("content").asText().equals("slow")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Answer.ok("{\"result\":{}}");
        });
        TestServer server = start(Map.of("proxy_publish_url", backend.url("/publish"), "proxy_publish_timeout",
                "10s"));

        try (WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            alice.send(Map.of("type", "room_message", "room_id", "general", "id", "a1", "content", "slow"));
            await().until(() -> backend.requests.size() == 1);
            alice.send(Map.of("type", "join_room", "room_id", "support", "id", "a2"));
            alice.send(Map.of("type", "ping", "id", "a3"));
            bob.send(Map.of("type", "room_message", "room_id", "general", "id", "b1", "content", "quick"));
            assertThat(bob.awaitType("ack").path("data").path("ref").asText())
                    .as("another connection is not held up").isEqualTo("b1");
            release.countDown();
            List<String> answers = new ArrayList<>();
            while (answers.size() < 3) {
                JsonNode next = alice.next();
                String type = next.path("type").asText();
                if (type.equals("ack") || type.equals("joined") || type.equals("pong")) {
                    answers.add(type + " " + next.path("data").path("ref").asText());
                }
            }
            assertThat(answers).containsExactly("ack a1", "joined a2", "pong a3");
        }
    }

    @Test
    void atMost100MessagesWaitBehindAPublishInFlightAndAt16RpcsInFlightMoreAreRefusedWithOverloaded() {
        CountDownLatch release = new CountDownLatch(1);
        backend = backend(request -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.ok("{\"result\":{}}");
        });
        TestServer server = start(Map.of("proxy_publish_url", backend.url("/publish"), "proxy_rpc_url",
                backend.url("/rpc"), "proxy_publish_timeout", "10s", "proxy_rpc_timeout", "10s"));

        try (WsClient alice = server.connect("alice", "general");
             WsClient bob = server.connect("bob", "general")) {
            alice.send(Map.of("type", "room_message", "room_id", "general", "id", "m", "content", "held"));
            for (int i = 1; i <= ProxiedInbox.MAX_WAITING + 1; i++) {
                alice.send(Map.of("type", "ping", "id", "p" + i));
            }
            JsonNode overloaded = alice.awaitType("error");
            assertThat(overloaded.path("data").path("code").asText()).isEqualTo("overloaded");
            assertThat(overloaded.path("data").path("ref").asText()).as("the 101st waiting, not the 100th")
                    .isEqualTo("p" + (ProxiedInbox.MAX_WAITING + 1));
            for (int i = 1; i <= ProxiedInbox.MAX_RPCS + 1; i++) {
                bob.send(Map.of("type", "rpc", "id", "r" + i, "data", Map.of("method", "wait")));
            }
            JsonNode tooMany = bob.awaitType("error");
            assertThat(tooMany.path("data").path("code").asText()).isEqualTo("overloaded");
            assertThat(tooMany.path("data").path("ref").asText()).isEqualTo("r" + (ProxiedInbox.MAX_RPCS + 1));
            // Each refusal counted once, as the connect proxy's are.
            Prometheus refusals = server.scrape();
            assertThat(refusals.value("relay_proxy_calls_total", "proxy", "publish", "outcome", "overloaded"))
                    .isEqualTo(1.0);
            assertThat(refusals.value("relay_proxy_calls_total", "proxy", "rpc", "outcome", "overloaded"))
                    .isEqualTo(1.0);
            release.countDown();
            assertThat(alice.awaitType("ack").path("data").path("ref").asText()).isEqualTo("m");
            for (int i = 1; i <= ProxiedInbox.MAX_WAITING; i++) {
                assertThat(alice.awaitType("pong").path("data").path("ref").asText()).isEqualTo("p" + i);
            }
            for (int i = 1; i <= ProxiedInbox.MAX_RPCS; i++) {
                assertThat(bob.awaitType("rpc_result").path("data").has("result")).isTrue();
            }
        }
    }

    @Test
    void aPublishProxyThatIsDownRefusesWithUnavailableUnlessItFailsOpen() {
        backend = backend(request -> request.json().path("content").asText().equals("slow")
                ? new Answer(200, "{\"result\":{}}", Duration.ofSeconds(3)) : Answer.status(502));
        TestServer closed = start(Map.of("proxy_publish_url", backend.url("/publish"),
                "proxy_publish_timeout", "200ms"));
        TestServer open = start(Map.of("proxy_publish_url", backend.url("/publish"),
                "proxy_publish_fail_open", "true"));

        try (WsClient refused = closed.connect("alice", "general");
             WsClient accepted = open.connect("alice", "general")) {
            refused.send(Map.of("type", "room_message", "room_id", "general", "id", "1", "content", "x"));
            accepted.send(Map.of("type", "room_message", "room_id", "general", "id", "1", "content", "x"));
            JsonNode error = refused.awaitType("error");
            assertThat(error.path("data").path("code").asText()).isEqualTo("unavailable");
            assertThat(error.path("data").path("ref").asText()).isEqualTo("1");
            assertThat(accepted.awaitType("ack").path("data").path("ref").asText()).isEqualTo("1");
            refused.send(Map.of("type", "room_message", "room_id", "general", "id", "2", "content", "slow"));
            JsonNode timedOut = refused.awaitType("error");
            assertThat(timedOut.path("data").path("code").asText()).as("a timeout").isEqualTo("unavailable");
            assertThat(timedOut.path("data").path("ref").asText()).isEqualTo("2");
        }
    }

    // ---- rpc

    @Test
    void anRpcGoesToTheBackendAndItsResultOrErrorComesBackAsRpcResult() {
        backend = backend(request -> {
            JsonNode body = request.json();
            return switch (body.path("method").asText()) {
                case "sum" -> Answer.ok("{\"result\":" + (body.path("params").path("a").asInt()
                        + body.path("params").path("b").asInt()) + "}");
                case "slow" -> new Answer(200, "{\"result\":1}", Duration.ofSeconds(3));
                default -> Answer.ok("{\"error\":{\"code\":\"no_such_method\",\"message\":\"unknown method\"}}");
            };
        });
        TestServer server = start(Map.of("proxy_rpc_url", backend.url("/rpc"), "proxy_rpc_timeout", "300ms",
                "proxy_rpc_headers", "X-Tenant"));

        try (WsClient alice = WsClient.connect(server.connectUri("general", server.token("alice")),
                Map.of("X-Tenant", "t9"))) {
            alice.expectType("welcome");
            alice.send(Map.of("type", "rpc", "id", "r1", "data", Map.of("method", "sum",
                    "params", Map.of("a", 2, "b", 3))));
            JsonNode sum = alice.awaitType("rpc_result");
            assertThat(sum.path("data").path("ref").asText()).isEqualTo("r1");
            assertThat(sum.path("data").path("result").asInt()).isEqualTo(5);
            alice.send(Map.of("type", "rpc", "id", "r2", "data", Map.of("method", "nope")));
            JsonNode error = alice.awaitType("rpc_result");
            assertThat(error.path("data").path("ref").asText()).isEqualTo("r2");
            assertThat(error.path("data").path("error").path("code").asText()).isEqualTo("no_such_method");
            assertThat(error.path("data").has("result")).isFalse();
            alice.send(Map.of("type", "rpc", "id", "r3", "data", Map.of("method", "slow")));
            JsonNode late = alice.awaitType("rpc_result");
            assertThat(late.path("data").path("ref").asText()).isEqualTo("r3");
            assertThat(late.path("data").path("error").path("code").asText()).isEqualTo("unavailable");
            alice.send(Map.of("type", "rpc", "data", Map.of("method", "sum")));
            assertThat(alice.awaitType("error").path("data").path("code").asText()).isEqualTo("missing_field");
        }
        JsonNode asked = backend.requestsTo("/rpc").getFirst().json();
        assertThat(asked.path("user_id").asText()).isEqualTo("alice");
        assertThat(asked.path("method").asText()).isEqualTo("sum");
        assertThat(asked.path("params").path("a").asInt()).isEqualTo(2);
        assertThat(asked.path("params").path("b").asInt()).isEqualTo(3);
        assertThat(asked.path("headers").toString()).isEqualTo("{\"x-tenant\":\"t9\"}");
        var metrics = server.scrape();
        assertThat(metrics.value("relay_proxy_calls_total", "proxy", "rpc", "outcome", "accepted")).isEqualTo(1.0);
        assertThat(metrics.value("relay_proxy_calls_total", "proxy", "rpc", "outcome", "refused")).isEqualTo(1.0);
        assertThat(metrics.value("relay_proxy_calls_total", "proxy", "rpc", "outcome", "unavailable")).isEqualTo(1.0);
        assertThat(metrics.value("relay_messages_received_total", "type", "rpc")).isEqualTo(4.0);
    }

    @Test
    void withoutAnRpcProxyAnRpcIsAnUnknownType() {
        TestServer server = start(Map.of());
        try (WsClient alice = server.connect("alice", "general")) {
            alice.send(Map.of("type", "rpc", "id", "r1", "data", Map.of("method", "sum")));
            assertThat(alice.awaitType("error").path("data").path("code").asText()).isEqualTo("unknown_type");
        }
    }

    /** A backend that knows three session tokens: carol (an admin), alice, and banned; anything else is unknown. */
    private Function<Backend.Request, Answer> sessions() {
        return request -> {
            String token = request.json().path("token").asText();
            long in1h = Instant.now().plusSeconds(3600).getEpochSecond();
            return switch (token) {
                case "carol-s" -> Answer.ok("{\"result\":{\"user_id\":\"carol\",\"name\":\"Carol\",\"roles\":[\"admin\"],"
                        + "\"expires_at\":" + in1h + "}}");
                case "alice-s" -> Answer.ok("{\"result\":{\"user_id\":\"alice\"}}");
                case "banned" -> Answer.ok("{\"error\":{\"code\":\"banned\",\"message\":\"go away\"}}");
                default -> Answer.ok("{\"error\":{\"code\":\"unauthorized\",\"message\":\"unknown session\"}}");
            };
        };
    }

    private Backend backend(Function<Backend.Request, Answer> answers) {
        Backend started = Backend.start(answers);
        running.add(started);
        return started;
    }

    private TestServer start(Map<String, String> settings) {
        TestServer server = TestServer.start(settings);
        running.add(server);
        return server;
    }
}
