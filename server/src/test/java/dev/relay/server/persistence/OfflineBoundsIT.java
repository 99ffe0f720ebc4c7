package dev.relay.server.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Private messages held for users who never connect, sent as an attacker would (thousands of large messages to
 * thousands of made-up ids): memory stays within offline_max_total_bytes and offline_max_total_messages, the oldest
 * are dropped and counted in /ws/stats and the metrics, and everyone else is served meanwhile.
 */
class OfflineBoundsIT {
    private static final int SENT = 9000;
    /** About 7 KB each: 9,000 of them are some 63 MB held when nothing bounds them. */
    private static final String BLOB = "y".repeat(7000);

    @Test
    void messagesToIdsThatNeverConnectStayWithinTheTotalBoundsWithTheOldestDroppedAndCounted() {
        try (TestServer server = TestServer.start(Map.of("offline_max_total_messages", "2000",
                "offline_max_total_bytes", "1MiB", "enable_rate_limit", "false"))) {
            Http http = server.http();
            long heapBefore = usedHeapAfterGc();
            try (WsClient mallory = server.connect("mallory", "general");
                 WsClient bob = server.connect("bob", "general");
                 WsClient carol = server.connect("carol", "general")) {
                for (int i = 0; i < SENT; i++) {
                    mallory.send(Map.of("type", "private_message", "id", "p-" + i, "to", "ghost-" + i,
                            "data", Map.of("blob", BLOB)));
                }
                HistoryAndOfflineContract.ackFor(mallory, "p-" + (SENT - 1));

                bob.send(Map.of("type", "room_message", "room_id", "general", "content", "still served"));
                assertThat(carol.awaitType("room_message").path("content").asText()).isEqualTo("still served");
                assertThat(http.get("/health/live", null).status()).isEqualTo(200);
            }
            long heapGrowth = usedHeapAfterGc() - heapBefore;

            JsonNode offline = http.get("/ws/stats", server.adminToken("root")).data().path("offline_messages");
            long held = offline.path("held").asLong();
            assertThat(offline.path("held_bytes").asLong()).isPositive().isLessThanOrEqualTo(1024 * 1024);
            assertThat(held).isPositive().isLessThan(2000);
            assertThat(offline.path("dropped").asLong()).isEqualTo(SENT - held);
            assertThat(server.scrape().value("relay_offline_dropped_total")).isEqualTo(SENT - held);
            assertThat(server.scrape().value("relay_offline_held_bytes")).isEqualTo(offline.path("held_bytes")
                    .asDouble());
            assertThat(heapGrowth).as("heap kept after the flood, in bytes").isLessThan(24L * 1024 * 1024);

            try (WsClient newest = server.connect("ghost-" + (SENT - 1), "support")) {
                assertThat(newest.awaitType("offline_messages").path("data").path("count").asInt()).isEqualTo(1);
                assertThat(newest.awaitType("private_message").path("data").path("blob").asText()).isEqualTo(BLOB);
            }
            try (WsClient oldest = server.connect("ghost-0", "support")) {
                oldest.expectNothingPendingExcept("user_joined", "user_left", "presence");
            }
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
