package dev.relay.server.persistence;

import dev.relay.core.testing.ExternalService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * History, search and offline messages on PostgreSQL. The server takes no schema setting, so this test gives its
 * connections one through the URL's search path and drops it afterwards.
 */
class PostgresHistoryIT extends HistoryAndOfflineContract {
    static final String BASE = "jdbc:postgresql://" + ExternalService.POSTGRES.host() + ":"
            + ExternalService.POSTGRES.port() + "/test?user=postgres";
    private final String schema = "relay_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

    @BeforeEach
    void requirePostgres() throws SQLException {
        ExternalService.POSTGRES.assumeAvailable();
        try (Connection c = DriverManager.getConnection(BASE); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
    }

    @AfterEach
    void dropSchema() throws SQLException {
        stop();
        server = null;
        try (Connection c = DriverManager.getConnection(BASE); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Override
    Map<String, String> settings() {
        return Map.of("enable_message_persistence", "true", "ack_after_persist", "true",
                "database_url", BASE + "&currentSchema=" + schema + ",public");
    }
}
