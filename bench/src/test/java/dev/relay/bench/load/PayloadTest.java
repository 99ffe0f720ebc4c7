package dev.relay.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PayloadTest {
    record Seen(int publisher, long sequence, long nanos) {
    }

    private static List<Seen> scan(String text) {
        ByteBuf buffer = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        List<Seen> seen = new ArrayList<>();
        int found = Payload.scan(buffer, buffer.readerIndex(), buffer.writerIndex(),
                (p, s, n, lag) -> seen.add(new Seen(p, s, n)));
        assertThat(found).isEqualTo(seen.size());
        return seen;
    }

    @Test
    void writesTheHeaderThenPadsToTheSize() {
        ByteBuf buffer = Unpooled.buffer();
        int length = Payload.write(buffer, 3, 1234, 987_654_321L, 100);
        String text = buffer.toString(StandardCharsets.US_ASCII);
        assertThat(length).isEqualTo(100);
        assertThat(text).startsWith("~3.1234.987654321~").hasSize(100).endsWith("xxx");
        assertThat(text).isEqualTo(Payload.toString(3, 1234, 987_654_321L, 100));
    }

    @Test
    void aSizeBelowTheHeaderGivesJustTheHeader() {
        ByteBuf buffer = Unpooled.buffer();
        assertThat(Payload.write(buffer, 0, 0, 0, 1)).isEqualTo("~0.0.0~".length());
    }

    @Test
    void readsBackWhatWasWritten() {
        ByteBuf buffer = Unpooled.buffer();
        Payload.write(buffer, 7, 42, 123_456_789_012L, 64);
        List<Seen> seen = new ArrayList<>();
        Payload.scan(buffer, 0, buffer.writerIndex(), (p, s, n, lag) -> seen.add(new Seen(p, s, n)));
        assertThat(seen).containsExactly(new Seen(7, 42, 123_456_789_012L));
    }

    @Test
    void findsThePayloadInsideRelaysEnvelope() {
        String frame = "{\"id\":\"0QYB\",\"type\":\"room_message\",\"from\":\"pub-0\",\"room_id\":\"general\",\"content\":\""
                + Payload.toString(0, 5, 99, 100) + "\",\"timestamp\":\"2024-01-01T00:00:00.000Z\"}";
        assertThat(scan(frame)).containsExactly(new Seen(0, 5, 99));
    }

    @Test
    void findsEveryPayloadOfACoalescedFrame() {
        String frame = Payload.toString(1, 1, 10, 40) + "\n" + Payload.toString(1, 2, 20, 40) + "\n"
                + Payload.toString(2, 1, 30, 40);
        assertThat(scan(frame)).containsExactly(new Seen(1, 1, 10), new Seen(1, 2, 20), new Seen(2, 1, 30));
    }

    @Test
    void findsThePayloadInASocketIoEvent() {
        assertThat(scan("42[\"msg\",\"" + Payload.toString(0, 9, 1, 50) + "\"]")).containsExactly(new Seen(0, 9, 1));
    }

    @Test
    void aLatePublisherAddsItsLag() {
        String text = Payload.toString(2, 7, 1000, 250, 60);
        assertThat(text).startsWith("~2.7.1000.250~").hasSize(60);
        ByteBuf buffer = Unpooled.buffer();
        Payload.write(buffer, 2, 7, 1000, 250, 60);
        assertThat(buffer.toString(StandardCharsets.US_ASCII)).isEqualTo(text);
        long[] lag = new long[1];
        Payload.scan(buffer, 0, buffer.writerIndex(), (p, s, n, l) -> lag[0] = l);
        assertThat(lag[0]).isEqualTo(250);
        assertThat(scan(text + "\n" + Payload.toString(2, 8, 2000, 40))).containsExactly(new Seen(2, 7, 1000),
                new Seen(2, 8, 2000));
    }

    @Test
    void skipsMalformedMarkers() {
        assertThat(scan("~ not a payload ~1.2~ ~1.2.x~ ~1.2.3.4.5~ ~~3.4.5~")).containsExactly(new Seen(3, 4, 5));
        assertThat(scan("{\"type\":\"welcome\"}")).isEmpty();
    }
}
