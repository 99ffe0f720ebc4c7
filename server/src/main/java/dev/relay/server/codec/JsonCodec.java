package dev.relay.server.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.codec.Encoder;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.protocol.Timestamps;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The JSON protocol: decodes client messages with a streaming parser (no tree for the message itself) and encodes
 * server messages straight into a pooled buffer that becomes a {@link WireFrame}.
 */
public final class JsonCodec implements Encoder {
    private final ObjectMapper mapper;
    private final JsonFactory factory;
    private final ByteBufAllocator allocator;

    /**
     * How deep a message's {@code data} may nest. Deeper JSON is refused while it is read, before it costs memory or
     * stack: a frame of 8 KiB of {@code [[[[...} would otherwise become thousands of nested structures.
     */
    public static final int MAX_DATA_DEPTH = 16;

    public JsonCodec(ObjectMapper mapper, ByteBufAllocator allocator) {
        this.mapper = mapper;
        this.factory = mapper.getFactory();
        // +1: the message object itself is one level; data inside it gets MAX_DATA_DEPTH.
        factory.setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DATA_DEPTH + 1).build());
        this.allocator = allocator;
    }

    @Override
    public EncodedFrame encode(ServerMessage message) {
        ByteBuf buffer = allocator.directBuffer(expectedSize(message));
        try {
            buffer.writerIndex(WireFrame.HEADER_ROOM);
            try (JsonGenerator json = factory.createGenerator((java.io.OutputStream) new ByteBufOutputStream(buffer))) {
                write(json, message, null);
            }
            return WireFrame.text(buffer);
        } catch (IOException | RuntimeException e) {
            buffer.release();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /**
     * A first guess at the frame's size, so the pooled buffer is not reallocated while the message is written (the
     * fixed fields of a room message alone take about 200 bytes; content and data count once per character, more
     * for escapes and multi-byte characters, which then grow the buffer).
     */
    private static int expectedSize(ServerMessage message) {
        int size = 256;
        if (message.content() != null) {
            size += message.content().length();
        }
        if (message.data() instanceof RawJson raw) {
            size += raw.json().length();
        }
        return size;
    }

    /**
     * The message as the wire has it, less {@code seq} and {@code epoch}, and where those two would go, so that a
     * node which learns them later (a cluster's shared stream assigns them) can make the frame with
     * {@link #placed} without encoding the message again.
     */
    public Unplaced unplaced(ServerMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(expectedSize(message));
        int[] split = {-1};
        try (JsonGenerator json = factory.createGenerator(out)) {
            ServerMessage withoutPosition = message.seq() == null ? message : new ServerMessage(message.id(),
                    message.type(), message.from(), message.to(), message.roomId(), message.content(), message.data(),
                    message.timestamp());
            write(json, withoutPosition, () -> {
                json.flush();
                split[0] = out.size();
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Unplaced(out.toByteArray(), split[0]);
    }

    /** A message's wire JSON without its stream position, and the offset where {@code ,"seq":..} goes. */
    public record Unplaced(byte[] json, int split) {
    }

    /**
     * The frame of a message placed at {@code seq} in {@code epoch}, made from {@link #unplaced}'s JSON
     * ({@code length} bytes of {@code source} from {@code offset}, position inserted at {@code split} of those):
     * the same bytes {@link #encode} writes for the placed message. Null when the epoch would need escaping (epochs
     * are short ids that never do).
     */
    public EncodedFrame placed(byte[] source, int offset, int length, int split, long seq, String epoch) {
        if (split <= 1 || split >= length || !plain(epoch)) {
            return null;
        }
        byte[] position = (epoch == null ? ",\"seq\":" + seq : ",\"seq\":" + seq + ",\"epoch\":\"" + epoch + '"')
                .getBytes(StandardCharsets.US_ASCII);
        ByteBuf buffer = allocator.directBuffer(WireFrame.HEADER_ROOM + length + position.length);
        buffer.writerIndex(WireFrame.HEADER_ROOM);
        buffer.writeBytes(source, offset, split);
        buffer.writeBytes(position);
        buffer.writeBytes(source, offset + split, length - split);
        return WireFrame.text(buffer);
    }

    private static boolean plain(String text) {
        if (text == null) {
            return true;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** {@code atPosition}, when given, runs where {@code seq} and {@code epoch} belong. */
    private void write(JsonGenerator json, ServerMessage message, Position atPosition) throws IOException {
        json.writeStartObject();
        writeIfPresent(json, "id", message.id());
        json.writeStringField("type", message.type());
        writeIfPresent(json, "from", message.from());
        writeIfPresent(json, "to", message.to());
        writeIfPresent(json, "room_id", message.roomId());
        if (atPosition != null) {
            atPosition.here();
        }
        if (message.seq() != null) {
            json.writeNumberField("seq", message.seq());
            writeIfPresent(json, "epoch", message.epoch());
        }
        writeIfPresent(json, "content", message.content());
        Object data = message.data();
        if (data instanceof RawJson raw) {
            json.writeFieldName("data");
            json.writeRawValue(raw.json());
        } else if (data != null) {
            json.writeFieldName("data");
            mapper.writeValue(json, data);
        }
        json.writeStringField("timestamp", Timestamps.format(message.timestamp()));
        json.writeEndObject();
    }

    @FunctionalInterface
    private interface Position {
        void here() throws IOException;
    }

    private static void writeIfPresent(JsonGenerator json, String field, String value) throws IOException {
        if (value != null) {
            json.writeStringField(field, value);
        }
    }

    /** Decodes one client message; malformed input becomes a {@link ProtocolException} naming what is wrong. */
    public ClientMessage decode(ByteBuf content) {
        return decodeFrom(() -> factory.createParser((InputStream) new ByteBufInputStream(content.duplicate())));
    }

    /** Decodes one client message from bytes (a REST body). */
    public ClientMessage decode(byte[] content) {
        return decodeFrom(() -> factory.createParser(content));
    }

    @FunctionalInterface
    private interface ParserSource {
        JsonParser open() throws IOException;
    }

    /** One translation of parser failures into protocol errors, whatever the input is. */
    private ClientMessage decodeFrom(ParserSource source) {
        try (JsonParser parser = source.open()) {
            return decode(parser);
        } catch (StreamConstraintsException e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "'data' may nest at most " + MAX_DATA_DEPTH + " levels deep");
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "malformed JSON: " + e.getOriginalMessage());
        } catch (CharConversionException e) { // bytes Jackson read as UTF-32 that are not valid UTF-32
            throw new ProtocolException(ErrorCode.INVALID_JSON, "malformed JSON: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ClientMessage decode(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "a message must be a JSON object");
        }
        String type = null;
        String id = null;
        String content = null;
        String roomId = null;
        String to = null;
        RawJson data = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "type" -> type = string(parser, field, value);
                case "id" -> id = clientId(parser, value);
                case "content" -> content = string(parser, field, value);
                case "room_id" -> roomId = string(parser, field, value);
                case "to" -> to = string(parser, field, value);
                case "data" -> data = value == JsonToken.VALUE_NULL ? null : copy(parser);
                default -> parser.skipChildren(); // unknown fields are ignored, so clients can be newer than us
            }
        }
        if (parser.nextToken() != null) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "unexpected content after the JSON object");
        }
        Map<String, Object> control = MessageType.isControl(type) && data != null ? controlFields(data) : Map.of();
        return new ClientMessage(type, id, content, roomId, to, data, control);
    }

    /** The top-level scalar fields of a control message's data (only control messages are read this way). */
    private Map<String, Object> controlFields(RawJson data) throws IOException {
        JsonNode node = mapper.readTree(data.json());
        if (!node.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'data' must be a JSON object");
        }
        Map<String, Object> fields = new HashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode value = field.getValue();
            if (value.isIntegralNumber() && value.canConvertToLong()) {
                fields.put(field.getKey(), value.longValue());
            } else if (value.isNumber()) {
                fields.put(field.getKey(), value.doubleValue());
            } else if (value.isTextual()) {
                fields.put(field.getKey(), value.textValue());
            } else if (value.isBoolean()) {
                fields.put(field.getKey(), value.booleanValue());
            }
        }
        return fields;
    }

    private static String string(JsonParser parser, String field, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            parser.skipChildren();
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' must be a string");
        }
        return parser.getText();
    }

    private static String clientId(JsonParser parser, JsonToken value) throws IOException {
        return switch (value) {
            case VALUE_NULL -> null;
            case VALUE_STRING, VALUE_NUMBER_INT -> {
                String id = parser.getText();
                if (id.length() > 128) {
                    throw new ProtocolException(ErrorCode.INVALID_FIELD, "'id' has at most 128 characters");
                }
                yield id;
            }
            default -> {
                parser.skipChildren();
                throw new ProtocolException(ErrorCode.INVALID_FIELD, "'id' must be a string or an integer");
            }
        };
    }

    private RawJson copy(JsonParser parser) throws IOException {
        StringWriter text = new StringWriter(64);
        try (JsonGenerator json = factory.createGenerator(text)) {
            json.copyCurrentStructureExact(parser); // exact: numbers must not pass through double
        }
        return new RawJson(text.toString());
    }

    /**
     * Reads a frame this codec encoded back into its JSON fields, for in-process clients
     * ({@link dev.relay.core.local.LocalClient}); null for a binary frame.
     */
    @SuppressWarnings("unchecked")
    public java.util.Map<String, Object> read(EncodedFrame frame) {
        if (!(frame instanceof WireFrame wire) || !wire.isText()) {
            return null;
        }
        ByteBuf payload = wire.payload();
        byte[] bytes = new byte[payload.readableBytes()];
        payload.getBytes(payload.readerIndex(), bytes);
        try {
            return mapper.readValue(bytes, java.util.LinkedHashMap.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a frame this codec wrote could not be read back", e);
        }
    }

    public ObjectMapper mapper() {
        return mapper;
    }
}
