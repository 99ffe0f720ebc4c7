package dev.relay.store.jdbc;

import dev.relay.core.testing.ExternalService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** The store contract on the shared PostgreSQL, in a schema of its own that is dropped after each test. */
class PostgresMessageStoreTest extends JdbcMessageStoreContract {
    static final String URL = "jdbc:postgresql://" + ExternalService.POSTGRES.host() + ":"
            + ExternalService.POSTGRES.port() + "/test?user=postgres";

    private final String schema = "relay_store_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

    @BeforeEach
    void requirePostgres() {
        ExternalService.POSTGRES.assumeAvailable();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        closeStores();
        if (ExternalService.POSTGRES.reachable()) {
            try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Override
    String jdbcUrl() {
        return URL;
    }

    @Override
    String schema() {
        return schema;
    }
}
