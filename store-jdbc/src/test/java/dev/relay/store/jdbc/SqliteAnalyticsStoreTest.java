package dev.relay.store.jdbc;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The analytics contract on SQLite, a fresh file per test. */
class SqliteAnalyticsStoreTest extends JdbcAnalyticsStoreContract {
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
