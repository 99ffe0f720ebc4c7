package dev.relay.server.persistence;

import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.RelayConfig;
import dev.relay.server.testing.SettableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The retention job deletes what is older than message_retention_days, all of it across batches, and nothing newer. */
class RetentionTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    @TempDir
    Path dataDir;

    @Test
    void deletesEverythingPastTheRetentionInBatchesAndKeepsTheRest() {
        RelayConfig config = ConfigLoader.load(null, Map.of(), Map.of("jwt_secret", "x".repeat(32),
                "enable_message_persistence", "true", "data_dir", dataDir.toString(), "message_retention_days", "7",
                "ack_after_persist", "true"));
        SettableClock clock = new SettableClock(NOW);
        try (Persistence persistence = Persistence.open(config, clock)) {
            int old = 2500; // more than two batches of 1,000
            List<CompletableFuture<Void>> written = new ArrayList<>();
            for (int seq = 1; seq <= old + 2; seq++) {
                Instant at = seq <= old ? NOW.minus(Duration.ofDays(8)) : NOW.minus(Duration.ofDays(6));
                written.add(persistence.store().accepted(new ServerMessage("m" + seq, MessageType.ROOM_MESSAGE,
                        "alice", null, "general", "message " + seq, null, at, (long) seq, "e")));
            }
            CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).join();

            assertThat(persistence.applyRetention()).isEqualTo(old);

            assertThat(persistence.store().roomMessages("general", "e", null, 10).messages())
                    .extracting(ServerMessage::content).containsExactly("message 2501", "message 2502");
            assertThat(persistence.applyRetention()).as("nothing left to delete").isZero();
            await().until(() -> persistence.problem().isEmpty());
        }
    }
}
