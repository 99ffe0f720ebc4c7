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

    /**
     * An edit and a deletion are kept like messages: after a restart, history shows the edited text and the deletion.
     */
    @org.junit.jupiter.api.Test
    void anEditAndADeletionSurviveARestart() {
        String id;
        try (dev.relay.server.testing.WsClient alice = server().connect("alice", "general")) {
            alice.send(Map.of("type", "room_message", "id", "r-1", "room_id", "general", "content", "before"));
            id = ackFor(alice, "r-1").path("data").path("id").asText();
            alice.send(Map.of("type", "edit_message", "room_id", "general", "data", Map.of("id", id),
                    "content", "after"));
            alice.await(m -> "message_update".equals(m.path("type").asText()), "the edit");
            alice.send(Map.of("type", "room_message", "id", "r-2", "room_id", "general", "content", "gone soon"));
            String second = ackFor(alice, "r-2").path("data").path("id").asText();
            alice.send(Map.of("type", "delete_message", "room_id", "general", "data", Map.of("id", second)));
            alice.await(m -> "message_deleted".equals(m.path("type").asText()), "the deletion");
        }
        org.awaitility.Awaitility.await().untilAsserted(() -> org.assertj.core.api.Assertions.assertThat(
                contents(server().http().get("/ws/rooms/general/messages", server().token("alice"))))
                .containsExactly("after", ""));
        server().close();
        server = null;

        var history = server().http().get("/ws/rooms/general/messages", server().token("alice"));
        org.assertj.core.api.Assertions.assertThat(contents(history))
                .as("read back from the database by a new server").containsExactly("after", "");
        org.assertj.core.api.Assertions.assertThat(history.data().path("messages").get(1).path("data")
                .path("deleted").asBoolean()).as("the deleted one says so").isTrue();
    }
}
