package dev.relay.server.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.server.config.WebhookConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The pure parts of a webhook: room globs, bodies, signatures and the retry schedule. */
class WebhookPartsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void roomGlobsMatchWholeIdsWithStarAndQuestionMarkAndLetRoomlessEventsThrough() {
        RoomGlobs globs = new RoomGlobs(List.of("game-*", "r?om", "a.b"));

        assertThat(globs.allows("game-7")).isTrue();
        assertThat(globs.allows("game-")).isTrue();
        assertThat(globs.allows("my-game-7")).as("anchored at both ends").isFalse();
        assertThat(globs.allows("room")).isTrue();
        assertThat(globs.allows("rooom")).isFalse();
        assertThat(globs.allows("a.b")).isTrue();
        assertThat(globs.allows("axb")).as("a dot is a dot").isFalse();
        assertThat(globs.allows(null)).as("an event without a room").isTrue();
        assertThat(new RoomGlobs(List.of()).allows("anything")).isTrue();
    }

    @Test
    void relayBodiesKeepTheEventsAndTheirOrderAndPusherBodiesRenameThem() throws IOException {
        List<Map<String, Object>> events = List.of(
                event("member_left", "room_id", "r", "user_id", "u"),
                event("room_vacated", "room_id", "r"),
                event("user_offline", "user_id", "u"));

        JsonNode relay = MAPPER.readTree(new WebhookBodies(MAPPER, false).body("id-1", 42, events));
        JsonNode pusher = MAPPER.readTree(new WebhookBodies(MAPPER, true).body("id-1", 42, events));

        assertThat(relay.toString()).isEqualTo("{\"id\":\"id-1\",\"time_ms\":42,\"events\":["
                + "{\"name\":\"member_left\",\"room_id\":\"r\",\"user_id\":\"u\",\"timestamp\":\"t\"},"
                + "{\"name\":\"room_vacated\",\"room_id\":\"r\",\"timestamp\":\"t\"},"
                + "{\"name\":\"user_offline\",\"user_id\":\"u\",\"timestamp\":\"t\"}]}");
        assertThat(pusher.toString()).isEqualTo("{\"time_ms\":42,\"events\":["
                + "{\"name\":\"member_removed\",\"channel\":\"r\",\"user_id\":\"u\"},"
                + "{\"name\":\"channel_vacated\",\"channel\":\"r\"},"
                + "{\"name\":\"user_offline\",\"user_id\":\"u\",\"timestamp\":\"t\"}]}");
    }

    @Test
    void theSignatureIsTheHmacSha256HexOfTheBody() {
        // RFC 4231 test case 2.
        assertThat(Signatures.hmacHex("Jefe", "what do ya want for nothing?".getBytes()))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void retriesWaitFourTimesLongerEachTimeWithinTwentyPercent() {
        WebhookConfig hook = new WebhookConfig(URI.create("http://127.0.0.1:1/h"), List.of(), List.of(), "s",
                Duration.ZERO, Duration.ofSeconds(1), false, Optional.empty(), 5, Duration.ofSeconds(8), 10);
        WebhookDispatcher dispatcher = new WebhookDispatcher("w", "w", hook, new WebhookBodies(MAPPER, false),
                null, Spool.NONE, null, Clock.systemUTC(), new SimpleMeterRegistry());
        long[] expected = {8_000, 32_000, 128_000, 512_000};
        for (int attempts = 1; attempts <= 4; attempts++) {
            for (int sample = 0; sample < 50; sample++) {
                assertThat(dispatcher.retryDelayMillis(attempts))
                        .isBetween(expected[attempts - 1] * 8 / 10, expected[attempts - 1] * 12 / 10);
            }
        }
    }

    private static Map<String, Object> event(String name, String... ids) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", name);
        for (int i = 0; i < ids.length; i += 2) {
            fields.put(ids[i], ids[i + 1]);
        }
        fields.put("timestamp", "t");
        return fields;
    }
}
