package dev.relay.store.jdbc;

import java.time.Duration;

/**
 * How the store connects and writes.
 *
 * @param jdbcUrl       {@code jdbc:sqlite:/path/file.db} or {@code jdbc:postgresql://host:port/db}
 * @param schema        PostgreSQL only: the schema to use (null: the user's default); tests use one per run
 * @param queueCapacity messages waiting for the writer before new ones are refused with temporarily_unavailable
 * @param batchSize     most messages written in one transaction
 * @param batchDelay    how long the writer waits for a batch to fill once it holds one message
 * @param offlineMax    private messages held per offline user; older ones are dropped and counted
 * @param ackAfterPersist true: the futures the store hands out complete at commit; false: they are null
 */
public record JdbcStoreSettings(String jdbcUrl, String schema, int queueCapacity, int batchSize,
                                Duration batchDelay, int offlineMax, boolean ackAfterPersist) {
    public JdbcStoreSettings {
        if (queueCapacity < 1 || batchSize < 1 || offlineMax < 0 || batchDelay.isNegative()) {
            throw new IllegalArgumentException("queue capacity and batch size must be positive");
        }
    }
}
