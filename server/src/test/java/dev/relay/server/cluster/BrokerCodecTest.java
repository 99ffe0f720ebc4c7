package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What nodes pass each other comes back as it went: fields, raw data, the instant to the nanosecond. */
class BrokerCodecTest {
    private final BrokerCodec codec = new BrokerCodec(new ObjectMapper());

    @Test
    void aMessageSurvivesTheTripWithItsRawDataAndFullPrecisionTimestamp() {
        ServerMessage sent = new ServerMessage("m-1", "room_message", "alice", null, "general", "héllo \"quoted\" 你好",
                new RawJson("{\"n\":[1,2.5,{\"deep\":true}],\"s\":\"x\"}"), Instant.parse("2026-11-27T05:00:00.123456789Z"));
        ServerMessage back = codec.decode(codec.encode(sent));
        assertThat(back).isEqualTo(sent);
        assertThat(new String(codec.encode(sent), StandardCharsets.UTF_8)).doesNotContain("seq");
    }

    @Test
    void mapDataArrivesAsTheSameJsonAndMissingFieldsStayNull() {
        ServerMessage sent = new ServerMessage(null, "broadcast", "system", null, null, "all", Map.of("k", "v"),
                Instant.EPOCH);
        ServerMessage back = codec.decode(codec.encode(sent));
        assertThat(back.data()).isEqualTo(new RawJson("{\"k\":\"v\"}"));
        assertThat(back.id()).isNull();
        assertThat(back.to()).isNull();
    }

    @Test
    void bytesItDidNotWriteAreRefused() {
        assertThatThrownBy(() -> codec.decode("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode("{\"type\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
