package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.policy.MessageRules;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.session.UserIds;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a client sends, the decoder and the validators answer with a message or a {@link ProtocolException}
 * (an error frame with a code): never another exception, which would reach the event loop as a bug. Inputs come from
 * a seeded generator, so a failure names the seed and iteration that reproduce it.
 */
class DecoderFuzzTest {
    private static final long SEED = 0x5EED_2026L;
    private static final String[] JSON_PIECES = {"{", "}", "[", "]", ":", ",", "\"type\"", "\"room_message\"",
            "\"data\"", "\"content\"", "\"to\"", "\"id\"", "\"resume\"", "\"refresh\"", "\"since\"", "1", "-1",
            "1e999", "null", "true", "\"\\u0000\"", "\"😀\"", "\"\\ud800\"", " ", "\"room_id\"", "\"general\""};

    private final JsonCodec codec = new JsonCodec(new ObjectMapper(), PooledByteBufAllocator.DEFAULT);
    private final MessageRules rules = new MessageRules(1000);

    @Test
    void arbitraryBytesDecodeOrFailWithACode() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            for (int b = 0; b < bytes.length; b++) {
                bytes[b] = (byte) random.nextInt(256);
            }
            assertDecodesOrRefuses(bytes, "bytes #" + i);
        }
    }

    @Test
    void arbitraryJsonLikeTextDecodesOrFailsWithACode() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder();
            for (int p = random.nextInt(40); p > 0; p--) {
                text.append(JSON_PIECES[random.nextInt(JSON_PIECES.length)]);
            }
            assertDecodesOrRefuses(text.toString().getBytes(StandardCharsets.UTF_8), "text #" + i + ": " + text);
        }
    }

    @Test
    void nestingOfAnyDepthIsBoundedAndNeverEscapes() {
        for (int depth = 1; depth <= 3000; depth += depth < 40 ? 1 : 97) {
            String message = "{\"type\":\"room_message\",\"room_id\":\"r\",\"data\":" + "[".repeat(depth)
                    + "]".repeat(depth) + "}";
            ClientMessage decoded = decodeOrNull(message.getBytes(StandardCharsets.UTF_8), "depth " + depth);
            assertThat(decoded != null).as("depth %d decodes", depth).isEqualTo(depth <= JsonCodec.MAX_DATA_DEPTH);
        }
    }

    @Test
    void theUserIdRuleNeverThrowsAndBoundsWhatItAccepts() {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        for (int i = 0; i < 3000; i++) {
            StringBuilder id = new StringBuilder();
            for (int c = random.nextInt(140); c > 0; c--) {
                id.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x110000) : 0x20 + random.nextInt(0x5f));
            }
            String candidate = id.toString();
            if (UserIds.isValid(candidate)) {
                assertThat(candidate.codePointCount(0, candidate.length())).isBetween(1, UserIds.MAX_LENGTH);
                assertThat(candidate.codePoints().noneMatch(Character::isWhitespace)).as(candidate).isTrue();
            }
        }
    }

    private void assertDecodesOrRefuses(byte[] bytes, String what) {
        ClientMessage decoded = decodeOrNull(bytes, what);
        if (decoded != null) {
            try {
                rules.checkBody(decoded);
                if (decoded.roomId() != null) {
                    rules.requireRoomId(decoded);
                }
            } catch (ProtocolException refused) {
                assertThat(refused.code()).as(what).isNotNull();
            }
        }
    }

    /** The decoded message, or null when it was refused with a code; any other exception fails the test. */
    private ClientMessage decodeOrNull(byte[] bytes, String what) {
        try {
            ClientMessage fromFrame = codec.decode(Unpooled.wrappedBuffer(bytes));
            ClientMessage fromRest = codec.decode(bytes);
            assertThat(fromRest).as(what).isEqualTo(fromFrame);
            return fromFrame;
        } catch (ProtocolException refused) {
            assertThat(refused.code()).as(what).isNotNull();
            assertThat(refused.getMessage()).as(what).isNotBlank();
            return null;
        }
    }
}
