package dev.relay.store.jdbc;

import dev.relay.core.testing.ExternalService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** The analytics contract on the shared PostgreSQL, in a schema of its own dropped after each test. */
class PostgresAnalyticsStoreTest extends JdbcAnalyticsStoreContract {
    private final String schema = "relay_analytics_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeEach
    void requirePostgres() {
        ExternalService.POSTGRES.assumeAvailable();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        closeStores();
        if (ExternalService.POSTGRES.reachable()) {
            try (Connection c = DriverManager.getConnection(PostgresMessageStoreTest.URL);
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Override
    String jdbcUrl() {
        return PostgresMessageStoreTest.URL;
    }

    @Override
    String schema() {
        return schema;
    }
}
