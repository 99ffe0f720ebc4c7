package dev.relay.server.persistence;

import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.store.OfflineStats;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.RelayConfig;
import dev.relay.server.testing.SettableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * offline_ttl, and history_ttl when it is 0s, reach the memory store: the periodic sweep lets go of messages held for
 * users who never connect once they are older than it, and not a moment before.
 */
class OfflineExpiryTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    private static ServerMessage toGhost(String id, Instant at) {
        return new ServerMessage(id, MessageType.PRIVATE_MESSAGE, "mallory", "ghost-" + id, null, "hello", null, at);
    }

    private static long heldAfter(Map<String, String> settings, Duration age) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("jwt_secret", "x".repeat(32));
        RelayConfig config = ConfigLoader.load(null, Map.of(), all);
        SettableClock clock = new SettableClock(NOW);
        try (Persistence persistence = Persistence.open(config, clock)) {
            persistence.store().hold(toGhost("m1", NOW));
            clock.advance(age);
            persistence.store().sweep();
            OfflineStats stats = persistence.store().stats();
            return stats.held();
        }
    }

    @Test
    void offlineTtlSetsHowLongAMessageIsHeldOnBothSidesOfIt() {
        Map<String, String> settings = Map.of("offline_ttl", "30m");
        assertThat(heldAfter(settings, Duration.ofMinutes(30))).as("exactly the ttl old").isEqualTo(1);
        assertThat(heldAfter(settings, Duration.ofMinutes(30).plusMillis(1))).as("one ms past").isZero();
    }

    @Test
    void withoutOfflineTtlMessagesAreHeldForHistoryTtl() {
        Map<String, String> settings = Map.of("history_ttl", "5m");
        assertThat(heldAfter(settings, Duration.ofMinutes(5))).isEqualTo(1);
        assertThat(heldAfter(settings, Duration.ofMinutes(5).plusMillis(1))).isZero();
    }
}
