package dev.relay.server.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.auth.TokenIssuer;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged server as a real process with persistence (SQLite under data_dir) and ack_after_persist: messages are
 * acked, the process is killed without any grace (SIGKILL), and a new process on the same data_dir still has the
 * history, continues the room's stream (a client resumes from its old seq/epoch) and delivers the offline messages.
 */
class KilledServerRestartIT {
    private static final Path JAR = Path.of("target", "relay-server.jar");
    private static final String SECRET = "restart-test-secret-at-least-32-bytes!";
    private static final int MESSAGES = 50;

    @TempDir
    Path dir;

    private final TokenIssuer tokens = new TokenIssuer(SECRET, Clock.systemUTC());
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void acknowledgedMessagesStreamPositionAndOfflineMessagesSurviveAKill() throws Exception {
        int port = freePort();
        Process first = start(port);
        long lastSeq;
        String epoch;
        long resumeFrom;
        Http firstHttp = new Http(path -> URI.create("http://127.0.0.1:" + port + path));
        String admin = tokens.issue("root", null, List.of("admin"), Duration.ofHours(1));
        assertThat(firstHttp.post("/ws/rooms", admin, "{\"id\":\"tech-support\",\"name\":\"技术支持\"}").status())
                .isEqualTo(201);
        try (WsClient alice = connect(port, "alice")) {
            for (int i = 1; i <= MESSAGES; i++) {
                alice.send(Map.of("type", "room_message", "id", "m-" + i, "room_id", "general", "content", "kept " + i));
            }
            alice.send(Map.of("type", "private_message", "id", "p-1", "to", "bob", "content", "for when bob is back"));
            JsonNode lastAck = null;
            JsonNode offlineAck = null;
            JsonNode tenth = null;
            int acks = 0;
            while (acks < MESSAGES + 1) {
                JsonNode message = alice.next();
                String type = message.path("type").asText();
                if ("room_message".equals(type) && "kept 10".equals(message.path("content").asText())) {
                    tenth = message;
                }
                if ("ack".equals(type)) {
                    acks++;
                    String ref = message.path("data").path("ref").asText();
                    if (ref.equals("m-" + MESSAGES)) {
                        lastAck = message;
                    } else if (ref.equals("p-1")) {
                        offlineAck = message;
                    }
                }
            }
            assertThat(offlineAck.path("data").path("stored_offline").asBoolean()).isTrue();
            lastSeq = lastAck.path("data").path("seq").asLong();
            epoch = tenth.path("epoch").asText();
            resumeFrom = tenth.path("seq").asLong();
        }

        first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
        assertThat(first.waitFor(15, TimeUnit.SECONDS)).isTrue();

        Process second = start(port);
        Http http = new Http(path -> URI.create("http://127.0.0.1:" + port + path));
        Http.Response history = http.get("/ws/rooms/general/messages?limit=200", tokens.issue("root", null,
                List.of("admin"), Duration.ofHours(1)));
        assertThat(history.status()).isEqualTo(200);
        List<String> contents = new ArrayList<>();
        history.data().path("messages").forEach(m -> contents.add(m.path("content").asText()));
        assertThat(contents).as("every acknowledged room message").hasSize(MESSAGES)
                .startsWith("kept 1", "kept 2").endsWith("kept " + MESSAGES);
        List<String> rooms = new ArrayList<>();
        http.get("/ws/rooms", admin).data().path("rooms").forEach(room -> rooms.add(room.path("id").asText()));
        assertThat(rooms).as("a room created at runtime exists again").contains("tech-support");

        try (WsClient resumed = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws/connect?room_id=general"
                + "&since=" + resumeFrom + "&epoch=" + epoch + "&token=" + token("carol")))) {
            resumed.expectType("welcome");
            for (long seq = resumeFrom + 1; seq <= lastSeq; seq++) {
                JsonNode replayed = resumed.expectType("room_message");
                assertThat(replayed.path("seq").asLong()).isEqualTo(seq);
                assertThat(replayed.path("epoch").asText()).as("the same stream").isEqualTo(epoch);
            }
            JsonNode done = resumed.expectType("resumed");
            assertThat(done.path("data").path("recovered").asBoolean()).isTrue();
            assertThat(done.path("data").path("seq").asLong()).isEqualTo(lastSeq);

            try (WsClient alice = connect(port, "alice")) {
                alice.send(Map.of("type", "room_message", "id", "after", "room_id", "general", "content", "after"));
                assertThat(resumed.awaitType("room_message").path("seq").asLong()).as("the stream continues")
                        .isEqualTo(lastSeq + 1);
            }
        }

        try (WsClient bob = connect(port, "bob")) {
            bob.awaitType("offline_messages");
            assertThat(bob.expectType("private_message").path("content").asText()).isEqualTo("for when bob is back");
        }
        second.destroy();
        assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }

    private String token(String user) {
        return tokens.issue(user, null, List.of(), Duration.ofHours(1));
    }

    private WsClient connect(int port, String user) {
        WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws/connect?room_id=general&token="
                + token(user)));
        client.expectType("welcome");
        return client;
    }

    private Process start(int port) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toAbsolutePath().toString(), "--port", String.valueOf(port));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server-" + System.nanoTime() + ".out").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("WS_"));
        builder.environment().putAll(Map.of("WS_JWT_SECRET", SECRET, "WS_LOG_DIR", dir.resolve("logs").toString(),
                "WS_ENABLE_MESSAGE_PERSISTENCE", "true", "WS_DATA_DIR", dir.resolve("data").toString(),
                "WS_ACK_AFTER_PERSIST", "true", "WS_HOST", "127.0.0.1"));
        Process process = builder.start();
        processes.add(process);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            assertThat(process.isAlive()).as("server process is running").isTrue();
            try (WsClient probe = connect(port, "probe")) {
                return true;
            }
        });
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
