package dev.relay.store.jdbc;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The store contract on SQLite, a fresh file per test. */
class SqliteMessageStoreTest extends JdbcMessageStoreContract {
    @TempDir
    Path dir;

    @Override
    String jdbcUrl() {
        return "jdbc:sqlite:" + dir.resolve("relay.db");
    }

    @Override
    String schema() {
        return null;
    }
}
