package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.policy.MessageRules;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.session.UserIds;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a client sends, the decoder and the validators answer with a message or a {@link ProtocolException}
 * (an error frame with a code): never another exception, which would reach the event loop as a bug.
 */
class DecoderProperties {
    private final JsonCodec codec = new JsonCodec(new ObjectMapper(), PooledByteBufAllocator.DEFAULT);
    private final MessageRules rules = new MessageRules(1000);

    @Property(tries = 2000)
    void arbitraryBytesDecodeOrFailWithACode(@ForAll @Size(max = 300) byte[] bytes) {
        assertDecodesOrRefuses(bytes);
    }

    @Property(tries = 2000)
    void arbitraryJsonLikeTextDecodesOrFailsWithACode(@ForAll("jsonish") String text) {
        assertDecodesOrRefuses(text.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 1000)
    void nestingOfAnyDepthNeverEscapes(@ForAll("depths") int depth) {
        String message = "{\"type\":\"room_message\",\"room_id\":\"r\",\"data\":" + "[".repeat(depth)
                + "]".repeat(depth) + "}";
        ClientMessage decoded = decodeOrNull(message.getBytes(StandardCharsets.UTF_8));
        assertThat(decoded != null).isEqualTo(depth <= JsonCodec.MAX_DATA_DEPTH);
    }

    @Property(tries = 1000)
    void userIdRuleNeverThrowsAndBoundsLength(@ForAll String id) {
        if (UserIds.isValid(id)) {
            assertThat(id.codePointCount(0, id.length())).isBetween(1, UserIds.MAX_LENGTH);
            assertThat(id.codePoints().noneMatch(Character::isWhitespace)).isTrue();
        }
    }

    private void assertDecodesOrRefuses(byte[] bytes) {
        ClientMessage decoded = decodeOrNull(bytes);
        if (decoded != null) {
            try {
                rules.checkBody(decoded);
                if (decoded.roomId() != null) {
                    rules.requireRoomId(decoded);
                }
            } catch (ProtocolException refused) {
                assertThat(refused.code()).isNotNull();
            }
        }
    }

    /** The decoded message, or null when it was refused with a code; any other exception fails the property. */
    private ClientMessage decodeOrNull(byte[] bytes) {
        try {
            ClientMessage fromFrame = codec.decode(Unpooled.wrappedBuffer(bytes));
            ClientMessage fromRest = codec.decode(bytes);
            assertThat(fromRest).isEqualTo(fromFrame);
            return fromFrame;
        } catch (ProtocolException refused) {
            assertThat(refused.code()).isNotNull();
            assertThat(refused.getMessage()).isNotBlank();
            return null;
        }
    }

    @Provide
    Arbitrary<Integer> depths() {
        return Arbitraries.integers().between(1, 3000); // depth 0 would be "data":} , not JSON
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> pieces = Arbitraries.of("{", "}", "[", "]", ":", ",", "\"type\"", "\"room_message\"",
                "\"data\"", "\"content\"", "\"to\"", "\"id\"", "\"resume\"", "\"refresh\"", "\"since\"", "1", "-1",
                "1e999", "null", "true", "\"\\u0000\"", "\"😀\"", "\"\\ud800\"", " ", "\"room_id\"", "\"general\"");
        return pieces.list().ofMaxSize(40).map(list -> String.join("", list));
    }
}
