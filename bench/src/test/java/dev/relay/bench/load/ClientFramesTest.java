package dev.relay.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ClientFramesTest {
    private static String throughNettysServerDecoder(String text) {
        ByteBuf frame = ClientFrames.start(UnpooledByteBufAllocator.DEFAULT, text.length());
        frame.writeCharSequence(text, StandardCharsets.UTF_8);
        ClientFrames.seal(frame, ClientFrames.OPCODE_TEXT, 0x1234_5678);
        EmbeddedChannel server = new EmbeddedChannel(new WebSocket13FrameDecoder(true, false, 1 << 20));
        server.writeInbound(frame);
        TextWebSocketFrame decoded = server.readInbound();
        try {
            return decoded.text();
        } finally {
            decoded.release();
            server.finishAndReleaseAll();
        }
    }

    @Test
    void aShortFrameIsMaskedAsAServerExpects() {
        assertThat(throughNettysServerDecoder("hello, relay")).isEqualTo("hello, relay");
    }

    @Test
    void aFrameOver125BytesUsesTheTwoByteLength() {
        String text = Payload.toString(1, 2, 3, 300);
        assertThat(throughNettysServerDecoder(text)).isEqualTo(text);
    }

    @Test
    void oddLengthsAreMaskedToTheLastByte() {
        for (int n = 0; n < 9; n++) {
            String text = "abcdefgh".substring(0, n);
            assertThat(throughNettysServerDecoder(text)).isEqualTo(text);
        }
    }
}
