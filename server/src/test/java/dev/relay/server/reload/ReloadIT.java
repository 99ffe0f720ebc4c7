package dev.relay.server.reload;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.nimbusds.jose.JWSAlgorithm;
import dev.relay.server.WebSocketService;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.LoadedConfig;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.Tokens;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /ws/admin/reload against a server started from a configuration file the test rewrites: what can change live
 * does, at once, without dropping anyone; what cannot is reported; a file that does not load changes nothing.
 */
class ReloadIT {
    private static final String OTHER_SECRET = "another-secret-that-is-at-least-32-bytes-long";
    private static final Map<String, String> FIXED = Map.of("host", "127.0.0.1", "port", "0",
            "log_dir", "target/test-logs");

    @TempDir
    Path dir;
    private Path file;
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        LogLevel.apply("info");
    }

    @Test
    void filterWordsChangeForTheNextMessageOfAnOpenConnection() throws IOException {
        start("  enable_message_filter: true\n  filter_action: reject\n  filter_words: [spam]\n");
        try (WsClient alice = server.connect("alice", "general")) {
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "eggs and ham"));
            assertThat(alice.awaitType("room_message").path("content").asText()).isEqualTo("eggs and ham");

            write("  enable_message_filter: true\n  filter_action: reject\n  filter_words: [spam, eggs]\n");
            Http.Response reloaded = reload(server.adminToken("ops"));

            assertThat(reloaded.status()).isEqualTo(200);
            assertThat(reloaded.data().path("applied").toString()).contains("filter_words");
            assertThat(reloaded.data().path("restart_required")).isEmpty();
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "eggs again"));
            assertThat(alice.awaitType("error").path("data").path("code").asText()).isEqualTo("filtered");
        }
    }

    @Test
    void aBlacklistedAddressIsRefusedFromTheNextRequestOn() throws IOException {
        start("  ip_blacklist: []\n");
        String alice = server.token("alice");
        assertThat(server.http().get("/ws/rooms", alice).status()).isEqualTo(200);

        write("  ip_blacklist: [127.0.0.1/32]\n");
        assertThat(reload(server.adminToken("ops")).status()).isEqualTo(200);

        Http.Response refused = server.http().get("/ws/rooms", alice);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("ip_forbidden");
    }

    @Test
    void aLowerRateLimitAppliesToConnectionsOpenedAfterTheReload() throws IOException {
        start("  rate_limit_per_minute: 1000\n");
        try (WsClient before = server.connect("early", "general")) {
            write("  rate_limit_per_minute: 2\n");
            assertThat(reload(server.adminToken("ops")).data().path("applied").toString())
                    .contains("rate_limit_per_minute");
            try (WsClient after = server.connect("late", "general")) {
                for (int i = 0; i < 2; i++) {
                    after.send(Map.of("type", "room_message", "room_id", "general", "content", "m" + i));
                }
                after.send(Map.of("type", "room_message", "room_id", "general", "content", "one too many"));
                assertThat(after.awaitType("error").path("data").path("code").asText()).isEqualTo("rate_limited");
            }
            for (int i = 0; i < 3; i++) {
                before.send(Map.of("type", "room_message", "room_id", "general", "content", "early " + i));
            }
            // The connection opened before keeps its bucket of 1000: its third message goes out too.
            assertThat(before.await(frame -> frame.path("content").asText().equals("early 2"), "early 2")
                    .path("from").asText()).isEqualTo("early");
        }
    }

    @Test
    void aRotatedSecretAcceptsOldAndNewTokensDuringTheOverlapAndTheOldOnesAfterwardNot() throws IOException {
        start("");
        String signedWithOld = server.token("alice");
        String signedWithNew = Tokens.signHmac(OTHER_SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256,
                Tokens.claims("bob"));
        assertThat(server.http().get("/ws/rooms", signedWithNew).status()).isEqualTo(401);

        write("  jwt_secret: \"" + OTHER_SECRET + "\"\n  jwt_previous_secrets: [\"" + TestServer.SECRET + "\"]\n");
        Http.Response overlap = reload(server.adminToken("ops"));
        assertThat(overlap.data().path("applied").toString()).contains("jwt_secret", "jwt_previous_secrets");
        assertThat(server.http().get("/ws/rooms", signedWithOld).status()).isEqualTo(200);
        assertThat(server.http().get("/ws/rooms", signedWithNew).status()).isEqualTo(200);

        write("  jwt_secret: \"" + OTHER_SECRET + "\"\n");
        String newAdmin = Tokens.signHmac(OTHER_SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256,
                Tokens.claims("ops", Instant.now().plusSeconds(600), b -> b.claim("roles", List.of("admin"))));
        assertThat(reload(newAdmin).status()).isEqualTo(200);
        assertThat(server.http().get("/ws/rooms", signedWithOld).status()).isEqualTo(401);
        assertThat(server.http().get("/ws/rooms", signedWithNew).status()).isEqualTo(200);
    }

    @Test
    void aFileThatDoesNotLoadChangesNothingAndSaysWhy() throws IOException {
        start("  enable_message_filter: true\n  filter_action: reject\n  filter_words: [spam]\n");
        write("  enable_message_filter: true\n  filter_words: [spam, eggs]\n  rate_limit_per_minute: lots\n");

        Http.Response refused = reload(server.adminToken("ops"));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.errorCode()).isEqualTo("invalid_config");
        assertThat(refused.body().path("error").path("message").asText())
                .contains("rate_limit_per_minute", "lots", "nothing was changed");
        try (WsClient alice = server.connect("alice", "general")) {
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "eggs"));
            assertThat(alice.awaitType("room_message").path("content").asText()).as("the old words still apply")
                    .isEqualTo("eggs");
        }
    }

    @Test
    void keysThatNeedARestartAreReportedByEveryReloadUntilOne() throws IOException {
        start("  max_rooms: 100\n");
        write("  max_rooms: 5\n  log_level: debug\n");

        Http.Response first = reload(server.adminToken("ops"));
        Http.Response second = reload(server.adminToken("ops"));

        assertThat(first.data().path("restart_required").toString()).isEqualTo("[\"max_rooms\"]");
        assertThat(first.data().path("applied").toString()).isEqualTo("[\"log_level\"]");
        assertThat(second.data().path("restart_required").toString()).isEqualTo("[\"max_rooms\"]");
        assertThat(second.data().path("applied")).as("nothing new to apply").isEmpty();
        Logger root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(((ch.qos.logback.classic.Logger) root).getLevel()).isEqualTo(Level.DEBUG);
    }

    @Test
    void onlyAdminsMayReload() throws IOException {
        start("");
        Http.Response refused = reload(server.token("alice"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("forbidden");
    }

    @Test
    void anEmbeddedServerWithoutASourceSaysSo() {
        server = TestServer.start(Map.of());
        Http.Response refused = reload(server.adminToken("ops"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("feature_disabled");
    }

    private void start(String settings) throws IOException {
        file = dir.resolve("relay.yaml");
        write(settings);
        LoadedConfig loaded = load();
        try {
            server = TestServer.of(WebSocketService.create(loaded.config()).start());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        server.service().reloadFrom(loaded, this::load);
    }

    private LoadedConfig load() {
        return ConfigLoader.loadWithValues(file, Map.of(), FIXED);
    }

    /** The file's websocket: section; with the tests' secret unless the settings give their own. */
    private void write(String settings) throws IOException {
        String secret = settings.contains("jwt_secret:") ? "" : "  jwt_secret: \"" + TestServer.SECRET + "\"\n";
        Files.writeString(file, "websocket:\n" + secret + settings);
    }

    private Http.Response reload(String token) {
        return server.http().post("/ws/admin/reload", token, "");
    }
}
