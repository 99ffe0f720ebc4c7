package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.testing.ExternalService;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node killed without warning (a real process, SIGKILL): the other nodes drop its users from the cluster's
 * presence within {@code presence_ttl}, and its clients reconnect to another node and resume without losing a
 * message. Presence counts agree on every node before and after.
 */
class NodeKillIT {
    private static final Path JAR = Path.of("target", "relay-server.jar");
    private static final Duration TTL = Duration.ofSeconds(3);
    private final String prefix = RedisKeys.freshPrefix();
    private final List<TestServer> nodes = new ArrayList<>();
    private Process victim;

    @TempDir
    Path dir;

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void stop() {
        if (victim != null) {
            victim.destroyForcibly();
        }
        nodes.forEach(TestServer::close);
        RedisKeys.delete(prefix);
    }

    private Map<String, String> settings(String nodeId) {
        return new HashMap<>(Map.of(
                "engine", "redis",
                "redis_url", RedisKeys.url(ExternalService.REDIS.port()),
                "redis_key_prefix", prefix,
                "node_id", nodeId,
                "presence_ttl", TTL.toSeconds() + "s",
                "enable_rate_limit", "false"));
    }

    private static int onlineUsers(TestServer node, String token) {
        return node.http().get("/ws/users/online", token).data().path("online_users").asInt();
    }

    @Test
    void a_killed_nodes_users_leave_presence_within_the_ttl_and_its_clients_resume_elsewhere() throws Exception {
        TestServer a = TestServer.start(settings("a"));
        nodes.add(a);
        TestServer b = TestServer.start(settings("b"));
        nodes.add(b);
        String admin = a.adminToken("root");

        int victimPort = freePort();
        Map<String, String> env = new HashMap<>();
        settings("victim").forEach((key, value) -> env.put("WS_" + key.toUpperCase(), value));
        env.put("WS_JWT_SECRET", TestServer.SECRET);
        env.put("WS_LOG_DIR", dir.resolve("logs").toString());
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString(), "--port", String.valueOf(victimPort))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("victim.out").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("WS_"));
        builder.environment().putAll(env);
        victim = builder.start();

        URI victimUri = URI.create("ws://127.0.0.1:" + victimPort + "/ws/connect?room_id=general&token="
                + a.token("dora"));
        WsClient dora = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> WsClient.connect(victimUri), client -> client != null);
        dora.expectType("welcome");
        try (WsClient alice = a.connect("alice", "general");
             WsClient bob = b.connect("bob", "general")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> onlineUsers(a, admin) == 3 && onlineUsers(b, admin) == 3);

            alice.send(Map.of("type", "room_message", "room_id", "general", "id", "m0", "content", "seen by dora"));
            JsonNode last = dora.await(m -> "seen by dora".equals(m.path("content").asText()), "the first message");

            victim.destroyForcibly(); // SIGKILL: no goodbye to Redis, no close frames
            assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
            dora.awaitClose();
            List<String> missed = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                bob.send(Map.of("type", "room_message", "room_id", "general", "id", "k" + i, "content", "k" + i));
                bob.await(m -> "ack".equals(m.path("type").asText()), "an ack");
                missed.add("k" + i);
            }

            // Its users are gone from every node's count within the TTL (plus one heartbeat of the reader).
            await().atMost(TTL.multipliedBy(3)).until(() -> onlineUsers(a, admin) == 2 && onlineUsers(b, admin) == 2);

            // A survivor takes dora out of the room: announced once on every node, and gone from the members.
            for (WsClient watcher : List.of(alice, bob)) {
                List<String> aboutDora = new ArrayList<>();
                await().atMost(TTL.multipliedBy(3)).untilAsserted(() -> {
                    drainAbout(watcher, "dora", aboutDora);
                    assertThat(aboutDora).contains("presence:offline");
                });
                assertThat(aboutDora).containsExactly("user_left", "presence:offline");
            }
            for (TestServer node : List.of(a, b)) {
                assertThat(node.http().get("/ws/rooms/general/members", admin).data().path("members")
                        .findValuesAsText("user_id")).containsExactlyInAnyOrder("alice", "bob");
            }
            alice.send(Map.of("type", "room_message", "room_id", "general", "id", "after", "content", "after"));
            missed.add("after"); // dora misses it too
            for (WsClient watcher : List.of(alice, bob)) {
                List<String> more = new ArrayList<>();
                JsonNode sentinel = watcher.await(m -> {
                    if ("dora".equals(m.path("data").path("user_id").asText())) {
                        more.add(m.path("type").asText());
                    }
                    return "after".equals(m.path("content").asText());
                }, "the message after");
                assertThat(sentinel).isNotNull();
                assertThat(more).as("dora's departure is announced once, by one survivor").isEmpty();
            }

            try (WsClient back = WsClient.connect(b.connectUriWithQuery("room_id=general&since="
                    + last.path("seq").asLong() + "&epoch=" + last.path("epoch").asText() + "&token="
                    + b.token("dora")))) {
                WsClient.Resumption resumption = back.awaitResumed();
                assertThat(resumption.recovered()).isTrue();
                assertThat(resumption.replayed()).containsExactlyElementsOf(missed);
                await().atMost(TTL.multipliedBy(2)).until(() -> onlineUsers(a, admin) == 3);
            }
        }
    }

    /** Adds what the watcher has received so far about the user: "user_left", "presence:offline", ... */
    private static void drainAbout(WsClient watcher, String userId, List<String> events) {
        for (Object message : watcher.drain(Duration.ofMillis(200))) {
            if (message instanceof JsonNode json && userId.equals(json.path("data").path("user_id").asText())) {
                String type = json.path("type").asText();
                events.add(type.equals("presence") ? "presence:" + json.path("data").path("status").asText() : type);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
