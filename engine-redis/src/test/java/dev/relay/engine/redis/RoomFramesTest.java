package dev.relay.engine.redis;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoomFramesTest {
    @Test
    void a_payload_of_several_frames_reads_back_in_order_even_with_newlines_in_a_body() {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.writeBytes(RoomFrames.write(7, "ep1", bytes("{\"data\":{\n\"a\":1}}")));
        payload.writeBytes(RoomFrames.write(8, "ep1", bytes("{\"content\":\"日本\"}")));
        List<String> read = new ArrayList<>();
        RoomFrames.read(payload.toByteArray(), (seq, epoch, body) ->
                read.add(seq + "/" + epoch + "/" + new String(body, StandardCharsets.UTF_8)));
        assertThat(read).containsExactly("7/ep1/{\"data\":{\n\"a\":1}}", "8/ep1/{\"content\":\"日本\"}");
    }

    @Test
    void a_malformed_payload_is_refused_after_the_frames_before_it() {
        byte[] good = RoomFrames.write(1, "e", bytes("x"));
        byte[] truncated = bytes("2 e 50\nshort");
        byte[] payload = new byte[good.length + truncated.length];
        System.arraycopy(good, 0, payload, 0, good.length);
        System.arraycopy(truncated, 0, payload, good.length, truncated.length);
        List<Long> read = new ArrayList<>();
        assertThatThrownBy(() -> RoomFrames.read(payload, (seq, epoch, body) -> read.add(seq)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(read).containsExactly(1L);
        for (String header : new String[]{"1 e\nx", "x e 1\nx", "1 e -1\nx", "1 e 1 2\nx", " e 1\nx", "1 e \nx",
                "1 e 99999999999999999999\nx"}) {
            assertThatThrownBy(() -> RoomFrames.read(bytes(header), (seq, epoch, body) -> { }))
                    .as(header).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
