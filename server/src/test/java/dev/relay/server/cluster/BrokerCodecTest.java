package dev.relay.server.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.server.codec.JsonCodec;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What nodes pass each other comes back as it went: fields, raw data, the instant to the nanosecond. */
class BrokerCodecTest {
    private final JsonCodec wire = new JsonCodec(new ObjectMapper(), UnpooledByteBufAllocator.DEFAULT);
    private final BrokerCodec codec = new BrokerCodec(wire);

    @Test
    void aMessageSurvivesTheTripWithItsRawDataAndFullPrecisionTimestamp() {
        ServerMessage sent = new ServerMessage("m-1", "room_message", "alice", null, "general", "héllo \"quoted\" 你好",
                new RawJson("{\"n\":[1,2.5,{\"deep\":true}],\"s\":\"x\\\"y 你\"}"),
                Instant.parse("2026-11-27T05:00:00.123456789Z"));
        ServerMessage back = codec.decode(codec.encode(sent));
        assertThat(back).isEqualTo(sent);
        assertThat(new String(codec.encode(sent), StandardCharsets.UTF_8)).doesNotContain("seq");
    }

    @Test
    void scalarAndArrayDataComeBackAsTheSameJson() {
        for (String data : new String[]{"[1,{\"a\":[]},\"x\"]", "\"text\"", "12.50", "true"}) {
            ServerMessage sent = new ServerMessage("m", "room_message", "a", null, "r", null, new RawJson(data),
                    Instant.EPOCH);
            assertThat(codec.decode(codec.encode(sent)).data()).isEqualTo(new RawJson(data));
        }
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
    void aReceivingNodeMakesTheSameFrameTheOriginWouldHaveEncoded() {
        ServerMessage sent = new ServerMessage("m-1", "room_message", "alice", null, "general", "hi",
                new RawJson("{\"k\":1}"), Instant.parse("2026-11-27T05:00:00.123456789Z"));
        byte[] body = codec.encode(sent);

        EncodedFrame spliced = codec.wireFrame(body, 7, "ep0ch123");
        EncodedFrame encoded = wire.encode(codec.decode(body).at(7, "ep0ch123"));
        try {
            assertThat(spliced).isNotNull();
            assertThat(spliced.length()).isEqualTo(encoded.length());
        } finally {
            spliced.release();
            encoded.release();
        }
    }

    @Test
    void aBodyAnEarlierVersionWroteIsStillReadButNotSpliced() {
        byte[] old = ("{\"id\":\"m-1\",\"type\":\"room_message\",\"from\":\"alice\",\"room_id\":\"general\","
                + "\"content\":\"hi\",\"data\":{\"k\":1},\"timestamp\":\"2026-11-27T05:00:00.123456789Z\"}")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(codec.decode(old)).isEqualTo(new ServerMessage("m-1", "room_message", "alice", null, "general",
                "hi", new RawJson("{\"k\":1}"), Instant.parse("2026-11-27T05:00:00.123456789Z")));
        assertThat(codec.wireFrame(old, 1, "e")).isNull();
    }

    @Test
    void bytesItDidNotWriteAreRefused() {
        assertThatThrownBy(() -> codec.decode("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode("{\"type\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode("12:x:{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.decode("12:1000000:{\"type\":\"x\",\"timestamp\":\"2026-11-27T05:00:00.123Z\"}"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class);
    }
}
