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
}
