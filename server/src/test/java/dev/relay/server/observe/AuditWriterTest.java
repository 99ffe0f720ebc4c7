package dev.relay.server.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.server.testing.SettableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** audit.log: one JSON object per line, rolled by size and by day. */
class AuditWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T10:00:00Z"));

    @TempDir
    Path dir;

    @Test
    void writesOneJsonObjectPerEvent() throws IOException {
        try (AuditWriter audit = new AuditWriter(dir, 1_000_000, 14, Long.MAX_VALUE, clock)) {
            audit.accept("alice", new ActivityEvent("disconnect", clock.instant(), clock.instant(), 1, "c1", null,
                    4403, null));
            audit.accept("alice", new ActivityEvent("message_sent", clock.instant(), clock.instant().plusSeconds(9),
                    7, null, "general", null, "room_message"));
        }

        List<String> lines = Files.readAllLines(dir.resolve(AuditWriter.FILE));
        assertThat(lines).hasSize(2);
        JsonNode disconnect = JSON.readTree(lines.get(0));
        assertThat(disconnect.path("timestamp").asText()).isEqualTo("2026-01-01T10:00:00.000Z");
        assertThat(disconnect.path("user_id").asText()).isEqualTo("alice");
        assertThat(disconnect.path("event").asText()).isEqualTo("disconnect");
        assertThat(disconnect.path("close_code").asInt()).isEqualTo(4403);
        assertThat(disconnect.has("count")).isFalse();
        JsonNode messages = JSON.readTree(lines.get(1));
        assertThat(messages.path("count").asLong()).isEqualTo(7);
        assertThat(messages.path("last").asText()).isEqualTo("2026-01-01T10:00:09.000Z");
        assertThat(messages.path("detail").asText()).isEqualTo("room_message");
    }

    @Test
    void writesEachLineWithoutWaitingForMore() {
        try (AuditWriter audit = new AuditWriter(dir, 1_000_000, 14, Long.MAX_VALUE, clock)) {
            audit.accept("alice", event("connect"));

            await().until(() -> Files.exists(dir.resolve(AuditWriter.FILE))
                    && Files.readAllLines(dir.resolve(AuditWriter.FILE)).size() == 1);
        }
    }

    @Test
    void rollsWhenTheFileIsFullAndWhenTheDayChanges() throws IOException {
        try (AuditWriter audit = new AuditWriter(dir, 100, 14, Long.MAX_VALUE, clock)) {
            audit.accept("alice", event("connect")); // about 80 bytes: under the limit
            audit.accept("alice", event("join"));    // over it now: the next line starts a new file
            audit.accept("alice", event("leave"));
            await().until(() -> rolled().size() == 1);
            clock.advance(Duration.ofDays(1));
            audit.accept("alice", event("disconnect"));
        }

        assertThat(rolled()).containsExactly("audit.2026-01-01.0.log", "audit.2026-01-01.1.log");
        assertThat(Files.readString(dir.resolve("audit.2026-01-01.0.log"))).contains("\"connect\"", "\"join\"");
        assertThat(Files.readString(dir.resolve(AuditWriter.FILE))).contains("\"disconnect\"")
                .doesNotContain("\"leave\"");
    }

    @Test
    void rolledFilesTogetherStayUnderTheirCapTheOldestGoingFirst() throws IOException {
        long cap = 2_000;
        try (AuditWriter audit = new AuditWriter(dir, 100, 14, cap, clock)) {
            for (int i = 0; i < 400; i++) { // a flood: every line or two rolls the file
                audit.accept("ip:203.0.113.7", event("auth_failure"));
            }
            audit.accept("ip:203.0.113.7", event("last"));
            // The last line is written after every roll and its clean-up; close() would wait only two seconds.
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> Files.readString(dir.resolve(AuditWriter.FILE)).contains("\"last\""));
        }

        List<String> rolled = rolled();
        long total = 0;
        for (String name : rolled) {
            total += Files.size(dir.resolve(name));
        }
        assertThat(total).isLessThanOrEqualTo(cap).isGreaterThan(cap / 2);
        int newest = rolled.stream().mapToInt(name -> Integer.parseInt(name.split("\\.")[2])).max().orElseThrow();
        assertThat(newest).as("the newest are kept").isGreaterThan(150);
        assertThat(rolled).doesNotContain("audit.2026-01-01.0.log");
    }

    private ActivityEvent event(String type) {
        return new ActivityEvent(type, clock.instant(), clock.instant(), 1, "c1", null, null, null);
    }

    private List<String> rolled() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> !name.equals(AuditWriter.FILE))
                    .sorted().toList();
        }
    }
}
