package dev.relay.server.codec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonCodecTest {
    private static final Instant TIME = Instant.parse("2024-05-06T07:08:09.123Z");
    private static final ObjectMapper READER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    /** Numbers equal by value (1.50 == 1.5), everything else by equals. */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    /** Records every buffer the codec allocates, so each test can check they were all released. */
    private final List<ByteBuf> allocated = new ArrayList<>();
    private final ByteBufAllocator allocator = new AbstractByteBufAllocator(true) {
        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return track(UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return track(UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf track(ByteBuf buffer) {
            allocated.add(buffer);
            return buffer;
        }
    };
    private final JsonCodec codec = new JsonCodec(new ObjectMapper(), allocator);
    private final List<ByteBuf> inputs = new ArrayList<>();

    @AfterEach
    void everyBufferIsReleased() {
        for (ByteBuf input : inputs) {
            assertThat(input.refCnt()).as("decode must leave the caller's buffer alone").isEqualTo(1);
            input.release();
        }
        assertThat(allocated).allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
    }

    // ---- decode ----------------------------------------------------------------------------------------------

    @Test
    void decodesEveryField() {
        ClientMessage message = decode("""
                {"type":"room_message","id":"c-1","content":"hello","room_id":"lobby","to":"bob",
                 "data":{"k":[1,2,{"x":null}]}}""");

        assertThat(message.type()).isEqualTo("room_message");
        assertThat(message.id()).isEqualTo("c-1");
        assertThat(message.content()).isEqualTo("hello");
        assertThat(message.roomId()).isEqualTo("lobby");
        assertThat(message.to()).isEqualTo("bob");
        assertSameJson(message.data(), "{\"k\":[1,2,{\"x\":null}]}");
    }

    @Test
    void absentAndNullFieldsAreNull() {
        assertThat(decode("{}")).isEqualTo(new ClientMessage(null, null, null, null, null, null));
        assertThat(decode("{\"type\":null,\"id\":null,\"content\":null,\"room_id\":null,\"to\":null,\"data\":null}"))
                .isEqualTo(new ClientMessage(null, null, null, null, null, null));
    }

    @Test
    void stringsAreUnescaped() {
        assertThat(decode("{\"content\":\"a \\\"q\\\" \\u00fc \\ud83d\\ude00 \\n\"}").content())
                .isEqualTo("a \"q\" \u00fc \ud83d\ude00 \n");
        assertThat(decode("{\"content\":\"\u00fc\ud83d\ude00\"}").content()).isEqualTo("\u00fc\ud83d\ude00");
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "-7", "0", "123456789012345678901234567890"})
    void integerIdBecomesItsText(String id) {
        assertThat(decode("{\"id\":" + id + "}").id()).isEqualTo(id);
    }

    @Test
    void idOf128CharactersIsAcceptedAnd129Refused() {
        String id128 = "i".repeat(128);

        assertThat(decode("{\"id\":\"" + id128 + "\"}").id()).isEqualTo(id128);
        assertRefused("{\"id\":\"" + id128 + "i\"}", ErrorCode.INVALID_FIELD, "'id'");
    }

    @Test
    void integerIdOf128DigitsIsAcceptedAnd129Refused() {
        String digits128 = "9".repeat(128);

        assertThat(decode("{\"id\":" + digits128 + "}").id()).isEqualTo(digits128);
        assertRefused("{\"id\":" + digits128 + "9}", ErrorCode.INVALID_FIELD, "'id'");
    }

    @Test
    void idCountsCharactersNotBytes() {
        String id = "\u00fc".repeat(128); // 256 bytes of UTF-8

        assertThat(decode("{\"id\":\"" + id + "\"}").id()).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "1e3", "true", "{}", "[]", "[\"a\"]"})
    void idOfAnotherTypeIsRefused(String id) {
        assertRefused("{\"id\":" + id + "}", ErrorCode.INVALID_FIELD, "'id'");
    }

    @Test
    void unknownFieldsAreIgnoredWhateverTheyHold() {
        ClientMessage message = decode("""
                {"extra":1,"type":"room_message",
                 "nested":{"type":"fake","id":{"deep":[1,{"content":"fake"}]},"data":"fake"},
                 "list":[{"type":"fake"},[["room_id"]],"to"],
                 "content":"real","flag":true,"nothing":null,"text":"x"}""");

        assertThat(message).isEqualTo(new ClientMessage("room_message", null, "real", null, null, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
            "{}",
            "[]",
            "[1,\"two\",{\"three\":3},[4]]",
            "\"just text with \\\"quotes\\\" and \\u00fc\"",
            "42",
            "-1.5e-7",
            "true",
            "false",
            "12345678901234567890123456789",
            "{\"deep\":{\"er\":{\"est\":[[[[{}]]]]}}}"})
    void dataIsKeptAsEquivalentRawJson(String data) {
        ClientMessage message = decode("{\"type\":\"room_message\",\"data\":" + data + ",\"content\":\"after\"}");

        assertSameJson(message.data(), data);
        assertThat(message.content()).isEqualTo("after");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.1", "3.14159265358979323846264338327950288", "1e400", "1e-400",
            "-0.000000000000000000000000000001", "{\"price\":19.999999999999999999}"})
    void dataNumbersKeepTheirValueBeyondDoublePrecision(String data) {
        assertSameJson(decode("{\"data\":" + data + "}").data(), data);
    }

    @Test
    void dataNullIsNull() {
        assertThat(decode("{\"data\":null}").data()).isNull();
    }

    @Test
    void whitespaceAroundTheMessageIsAllowed() {
        assertThat(decode(" \n\t{\"type\":\"ping\"} \r\n").type()).isEqualTo("ping");
    }

    @ParameterizedTest
    @ValueSource(strings = {"type", "content", "room_id", "to"})
    void stringFieldsOfAnotherTypeAreRefusedByName(String field) {
        for (String value : List.of("1", "1.5", "true", "{\"a\":\"b\"}", "[\"a\"]")) {
            assertRefused("{\"" + field + "\":" + value + "}", ErrorCode.INVALID_FIELD, "'" + field + "'");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"type\":\"ping\"}]", "\"ping\"", "42", "true", "null"})
    void messageThatIsNotAnObjectIsInvalidJson(String text) {
        assertRefused(text, ErrorCode.INVALID_JSON, "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "{\"type\":}", "{\"type\":\"ping\"", "{\"type\" \"ping\"}",
            "{type:\"ping\"}", "{'type':'ping'}", "{\"type\":\"ping\",}", "{\"data\":[1,2}", "{\"data\":NaN}",
            "{\"content\":\"unterminated}", "{\"id\":01}"})
    void malformedJsonIsInvalidJson(String text) {
        assertRefused(text, ErrorCode.INVALID_JSON, "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} x", "{}{}", "{\"type\":\"ping\"} {\"type\":\"ping\"}", "{} ]", "{} 1", "{} null"})
    void trailingContentIsInvalidJson(String text) {
        assertRefused(text, ErrorCode.INVALID_JSON, "");
    }

    @Test
    void invalidUtf8IsInvalidJson() {
        byte[] bytes = {'{', '"', 'c', 'o', 'n', 't', 'e', 'n', 't', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'};

        assertRefused(bytes, ErrorCode.INVALID_JSON);
    }

    @Test
    void bytesThatLookLikeBrokenUtf32AreInvalidJson() {
        // Jackson takes input starting with three zero bytes for UTF-32; these are valid UTF-8, so a WebSocket text
        // frame can carry them.
        assertRefused(new byte[] {0, 0, 0, '{', 0, 0, 0}, ErrorCode.INVALID_JSON);
        assertRefused(new byte[] {0, 0, 0, '{', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                ErrorCode.INVALID_JSON);
    }

    @Test
    void nestingBeyondTheLimitIsRefusedAsAnInvalidField() {
        String deep = "[".repeat(5000) + "]".repeat(5000);

        assertRefused("{\"data\":" + deep + "}", ErrorCode.INVALID_FIELD, "");
    }

    @Test
    void decodingABufferLeavesItsIndexAndReferenceAlone() {
        ByteBuf input = input("xx{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
        input.readerIndex(2);

        assertThat(codec.decode(input).type()).isEqualTo("ping");
        assertThat(input.readerIndex()).isEqualTo(2);
        assertThat(input.readableBytes()).isEqualTo(15);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"room_message\",\"id\":7,\"content\":\"hi\",\"room_id\":\"r\",\"to\":\"u\",\"data\":[1,{\"a\":2}]}",
            "{\"data\":\"s\",\"unknown\":{\"x\":[1]}}",
            "{\"type\":1}", "{\"id\":{}}", "[]", "{", "{} x", "{\"data\":0.1}"})
    void decodingFromABufferAndFromBytesAgree(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Object fromBuffer = outcome(() -> codec.decode(input(bytes)));
        Object fromBytes = outcome(() -> codec.decode(bytes));

        assertThat(fromBuffer).isEqualTo(fromBytes);
    }

    // ---- encode ----------------------------------------------------------------------------------------------

    @Test
    void encodesEveryFieldInProtocolOrder() {
        ServerMessage message = new ServerMessage("m-1", "room_message", "alice", "bob", "lobby", "hello",
                new RawJson("{\"k\":1}"), TIME);

        String json = encode(message);

        assertThat(fieldNames(json)).containsExactly("id", "type", "from", "to", "room_id", "content", "data",
                "timestamp");
        assertThat(json).isEqualTo("{\"id\":\"m-1\",\"type\":\"room_message\",\"from\":\"alice\",\"to\":\"bob\","
                + "\"room_id\":\"lobby\",\"content\":\"hello\",\"data\":{\"k\":1},"
                + "\"timestamp\":\"2024-05-06T07:08:09.123Z\"}");
    }

    @Test
    void aMessagePlacedLaterGetsTheSameBytesAsOneEncodedPlaced() {
        List<ServerMessage> messages = List.of(
                new ServerMessage("m-1", "room_message", "alice", null, "lobby", "h\u00e9llo \"q\" \ud83d\ude00",
                        new RawJson("{\"k\":[1,2.50,{\"x\":null}]}"), TIME),
                new ServerMessage(null, "room_message", null, null, "r", null, null, TIME),
                new ServerMessage("m-2", "room_message", "bob", "carol", "lobby", "x".repeat(70_000),
                        Map.of("n", 1), TIME));
        for (ServerMessage message : messages) {
            JsonCodec.Unplaced unplaced = codec.unplaced(message);
            byte[] padded = new byte[unplaced.json().length + 7];
            System.arraycopy(unplaced.json(), 0, padded, 3, unplaced.json().length);

            EncodedFrame spliced = codec.placed(padded, 3, unplaced.json().length, unplaced.split(), 41, "e8Xk2pQa");
            EncodedFrame encoded = codec.encode(message.at(41, "e8Xk2pQa"));
            ByteBuf splicedBytes = ((WireFrame) spliced).wireBytes();
            ByteBuf encodedBytes = ((WireFrame) encoded).wireBytes();
            try {
                assertThat(splicedBytes.toString(StandardCharsets.ISO_8859_1))
                        .isEqualTo(encodedBytes.toString(StandardCharsets.ISO_8859_1));
                assertThat(spliced.length()).isEqualTo(encoded.length());
            } finally {
                splicedBytes.release();
                encodedBytes.release();
                spliced.release();
                encoded.release();
            }
            assertThat(new String(unplaced.json(), StandardCharsets.UTF_8)).isEqualTo(encode(message));
        }
    }

    @Test
    void anEpochThatWouldNeedEscapingIsNotSplicedIn() {
        JsonCodec.Unplaced unplaced = codec.unplaced(new ServerMessage("m", "room_message", null, null, "r", "c",
                null, TIME));

        assertThat(codec.placed(unplaced.json(), 0, unplaced.json().length, unplaced.split(), 1, "a\"b")).isNull();
        assertThat(codec.placed(unplaced.json(), 0, unplaced.json().length, unplaced.split(), 1, "\u00e9")).isNull();
    }

    @Test
    void nullFieldsAreLeftOut() {
        String json = encode(new ServerMessage(null, "pong", null, null, null, null, null, TIME));

        assertThat(fieldNames(json)).containsExactly("type", "timestamp");
        assertThat(json).doesNotContain("null");
    }

    @Test
    void eachOptionalFieldAppearsOnlyWhenSet() {
        assertThat(fieldNames(encode(new ServerMessage(null, "t", "alice", null, null, null, null, TIME))))
                .containsExactly("type", "from", "timestamp");
        assertThat(fieldNames(encode(new ServerMessage(null, "t", null, null, "lobby", null, null, TIME))))
                .containsExactly("type", "room_id", "timestamp");
        assertThat(fieldNames(encode(new ServerMessage("m", "t", null, null, null, "c", null, TIME))))
                .containsExactly("id", "type", "content", "timestamp");
        assertThat(fieldNames(encode(new ServerMessage(null, "t", null, "bob", null, null, Map.of(), TIME))))
                .containsExactly("type", "to", "data", "timestamp");
    }

    @Test
    void rawJsonDataIsEmbeddedVerbatim() {
        String raw = "{ \"b\" : [1, 2.50, 1E+400],\n \"a\": \"\\u00fc\" }";

        String json = encode(new ServerMessage(null, "room_message", null, null, null, null, new RawJson(raw), TIME));

        assertThat(json).contains("\"data\":" + raw + ",");
    }

    @Test
    void rawJsonScalarDataIsEmbeddedVerbatim() {
        String json = encode(new ServerMessage(null, "t", null, null, null, null, new RawJson("\"text\""), TIME));

        assertThat(tree(json).get("data").textValue()).isEqualTo("text");
    }

    @Test
    void mapDataIsSerialized() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("code", "not_member");
        data.put("count", 3);
        data.put("ok", false);
        data.put("users", List.of("alice", "bob"));
        data.put("nested", Map.of("x", 1.5));
        data.put("missing", null);

        String json = encode(ServerMessage.event("error", "lobby", data, TIME));

        assertThat(tree(json).get("data")).isEqualTo(READER.valueToTree(data));
        assertThat(fieldNames(tree(json).get("data").toString()))
                .containsExactly("code", "count", "ok", "users", "nested", "missing");
    }

    @Test
    void stringsAreEscaped() {
        String content = "say \"hi\"\n\\ \u00fc \ud83d\ude00 \u0001 </script>";

        String json = encode(new ServerMessage(null, "t", null, null, null, content, null, TIME));

        assertThat(tree(json).get("content").textValue()).isEqualTo(content);
    }

    @Test
    void timestampIsRfc3339UtcInMilliseconds() {
        assertThat(timestampOf(Instant.parse("2024-05-06T07:08:09.123456789Z"))).isEqualTo("2024-05-06T07:08:09.123Z");
        assertThat(timestampOf(Instant.parse("2024-05-06T07:08:09.120Z"))).isEqualTo("2024-05-06T07:08:09.120Z");
        assertThat(timestampOf(Instant.parse("2024-12-31T23:59:59.999999Z"))).isEqualTo("2024-12-31T23:59:59.999Z");
        assertThat(timestampOf(Instant.ofEpochMilli(1))).isEqualTo("1970-01-01T00:00:00.001Z");
    }

    @Test
    void timestampOnAWholeSecondIsStillRfc3339() {
        String timestamp = timestampOf(Instant.parse("2024-05-06T07:08:09Z"));

        assertThat(timestamp).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");
        assertThat(Instant.parse(timestamp)).isEqualTo(Instant.parse("2024-05-06T07:08:09Z"));
    }

    @Test
    void encodedFrameLengthIsThePayloadLength() {
        EncodedFrame frame = codec.encode(new ServerMessage(null, "pong", null, null, null, "\u00fc", null, TIME));
        try {
            String expected = "{\"type\":\"pong\",\"content\":\"\u00fc\",\"timestamp\":\"2024-05-06T07:08:09.123Z\"}";
            assertThat(frame.length()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8).length);
            assertThat(((WireFrame) frame).isText()).isTrue();
        } finally {
            frame.release();
        }
    }

    @Test
    void encodedFrameIsReleasedByItsOwner() {
        EncodedFrame frame = codec.encode(new ServerMessage(null, "pong", null, null, null, null, null, TIME));
        ByteBuf view = ((WireFrame) frame).payload();

        assertThat(view.refCnt()).isEqualTo(1);
        frame.release();
        assertThat(view.refCnt()).isZero();
    }

    @Test
    void dataThatCannotBeSerializedFailsAndReleasesTheBuffer() {
        ServerMessage message = new ServerMessage(null, "t", null, null, null, null, new Object(), TIME);

        assertThatThrownBy(() -> codec.encode(message)).isInstanceOf(UncheckedIOException.class);
        assertThat(allocated).hasSize(1); // checked released in everyBufferIsReleased
    }

    @Test
    void encodedMessageDecodesBack() {
        ServerMessage sent = new ServerMessage("42", "room_message", "alice", "bob", "lobby", "hi",
                new RawJson("[1,{\"a\":\"b\"}]"), TIME);
        byte[] json = encode(sent).getBytes(StandardCharsets.UTF_8);

        ClientMessage back = codec.decode(json);

        assertThat(back).isEqualTo(new ClientMessage("room_message", "42", "hi", "lobby", "bob",
                new RawJson("[1,{\"a\":\"b\"}]")));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private ClientMessage decode(String text) {
        return codec.decode(input(text.getBytes(StandardCharsets.UTF_8)));
    }

    private ByteBuf input(byte[] bytes) {
        ByteBuf input = Unpooled.wrappedBuffer(bytes);
        inputs.add(input);
        return input;
    }

    private void assertRefused(String text, ErrorCode code, String fieldMention) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertRefused(bytes, code);
        assertThatThrownBy(() -> codec.decode(input(bytes))).hasMessageContaining(fieldMention);
        assertThatThrownBy(() -> codec.decode(bytes)).hasMessageContaining(fieldMention);
    }

    /** Refused with {@code code} both from a buffer and from bytes. */
    private void assertRefused(byte[] bytes, ErrorCode code) {
        assertThatThrownBy(() -> codec.decode(input(bytes)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(code));
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static Object outcome(java.util.function.Supplier<ClientMessage> decode) {
        try {
            return decode.get();
        } catch (ProtocolException e) {
            return e.code() + ": " + e.getMessage();
        }
    }

    private static void assertSameJson(RawJson actual, String expected) {
        assertThat(actual).isNotNull();
        JsonNode actualTree = tree(actual.json());
        JsonNode expectedTree = tree(expected);
        assertThat(actualTree.equals(BY_VALUE, expectedTree))
                .as("%s is equivalent to %s", actual.json(), expected)
                .isTrue();
    }

    private String encode(ServerMessage message) {
        EncodedFrame frame = codec.encode(message);
        try {
            return ((WireFrame) frame).payload().toString(StandardCharsets.UTF_8);
        } finally {
            frame.release();
        }
    }

    private String timestampOf(Instant instant) {
        return tree(encode(new ServerMessage(null, "t", null, null, null, null, null, instant)))
                .get("timestamp").textValue();
    }

    private static JsonNode tree(String json) {
        try {
            return READER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static List<String> fieldNames(String json) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = ((ObjectNode) tree(json)).fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
