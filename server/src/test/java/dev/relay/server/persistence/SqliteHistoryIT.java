package dev.relay.server.persistence;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/** History, search and offline messages with persistence on the default store: SQLite under data_dir. */
class SqliteHistoryIT extends HistoryAndOfflineContract {
    @TempDir
    Path dataDir;

    @Override
    Map<String, String> settings() {
        return Map.of("enable_message_persistence", "true", "data_dir", dataDir.toString(),
                "ack_after_persist", "true");
    }

    /** An edit is kept like the message: after a restart, history still shows the edited text. */
    @org.junit.jupiter.api.Test
    void anEditSurvivesARestart() {
        String id;
        try (dev.relay.server.testing.WsClient alice = server().connect("alice", "general")) {
            alice.send(Map.of("type", "room_message", "id", "r-1", "room_id", "general", "content", "before"));
            id = ackFor(alice, "r-1").path("data").path("id").asText();
            alice.send(Map.of("type", "edit_message", "room_id", "general", "data", Map.of("id", id),
                    "content", "after"));
            alice.await(m -> "message_update".equals(m.path("type").asText()), "the edit");
        }
        org.awaitility.Awaitility.await().untilAsserted(() -> org.assertj.core.api.Assertions.assertThat(
                contents(server().http().get("/ws/rooms/general/messages", server().token("alice"))))
                .containsExactly("after"));
        server().close();
        server = null;

        org.assertj.core.api.Assertions.assertThat(
                contents(server().http().get("/ws/rooms/general/messages", server().token("alice"))))
                .as("read back from the database by a new server").containsExactly("after");
    }
}
