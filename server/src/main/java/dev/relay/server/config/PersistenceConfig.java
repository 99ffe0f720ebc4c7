package dev.relay.server.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How messages are stored when {@code enable_message_persistence} is on; {@code offlineMaxMessages} applies either way.
 *
 * @param databaseUrl        the JDBC URL; empty: SQLite {@code relay.db} under {@code data_dir}
 * @param ackAfterPersist    acks wait for the commit
 * @param offlineMaxMessages private messages held per offline user; 0 refuses them
 * @param offlineMaxTotalMessages private messages held in memory for all offline users together
 * @param offlineMaxTotalBytes    their estimated bytes, all users together
 * @param offlineTtl         how long a private message is held; zero: {@code history_ttl}, or
 *                           {@code message_retention_days} with persistence ({@link #offlineTtl(Duration)})
 * @param queueSize          messages waiting for the writer before new ones are refused
 * @param batchSize          most messages per transaction
 * @param batchDelay         how long the writer waits for a batch to fill
 */
public record PersistenceConfig(Optional<String> databaseUrl, boolean ackAfterPersist, int offlineMaxMessages,
                                int offlineMaxTotalMessages, long offlineMaxTotalBytes, Duration offlineTtl,
                                int queueSize, int batchSize, Duration batchDelay) {
    public PersistenceConfig {
        Objects.requireNonNull(databaseUrl, "databaseUrl");
        Objects.requireNonNull(batchDelay, "batchDelay");
        Objects.requireNonNull(offlineTtl, "offlineTtl");
    }

    /** How long private messages are held: {@code offline_ttl}, or {@code otherwise} when it is zero. */
    public Duration offlineTtl(Duration otherwise) {
        return offlineTtl.isZero() ? otherwise : offlineTtl;
    }
}
