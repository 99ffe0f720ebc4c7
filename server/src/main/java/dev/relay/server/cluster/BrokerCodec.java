package dev.relay.server.cluster;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.core.cluster.MessageCodec;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.StringWriter;
import java.time.Instant;

/**
 * A message as nodes pass it: the wire JSON less {@code seq}/{@code epoch} (the shared stream adds those), with the
 * timestamp at full precision so every node shows the instant the origin acknowledged. {@code data} is copied as raw
 * JSON both ways, never turned into a tree of objects.
 */
public final class BrokerCodec implements MessageCodec {
    private final ObjectMapper mapper;
    private final JsonFactory factory;

    public BrokerCodec(ObjectMapper mapper) {
        this.mapper = mapper;
        this.factory = mapper.getFactory();
    }

    @Override
    public byte[] encode(ServerMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = factory.createGenerator(out)) {
            json.writeStartObject();
            field(json, "id", message.id());
            field(json, "type", message.type());
            field(json, "from", message.from());
            field(json, "to", message.to());
            field(json, "room_id", message.roomId());
            field(json, "content", message.content());
            if (message.data() instanceof RawJson raw) {
                json.writeFieldName("data");
                json.writeRawValue(raw.json());
            } else if (message.data() != null) {
                json.writeFieldName("data");
                mapper.writeValue(json, message.data());
            }
            json.writeStringField("timestamp", message.timestamp().toString());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void field(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    @Override
    public ServerMessage decode(byte[] bytes) {
        String id = null, type = null, from = null, to = null, roomId = null, content = null;
        RawJson data = null;
        Instant timestamp = null;
        try (JsonParser parser = factory.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a message object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "id" -> id = parser.getText();
                    case "type" -> type = parser.getText();
                    case "from" -> from = parser.getText();
                    case "to" -> to = parser.getText();
                    case "room_id" -> roomId = parser.getText();
                    case "content" -> content = parser.getText();
                    case "timestamp" -> timestamp = Instant.parse(parser.getText());
                    case "data" -> data = new RawJson(raw(parser));
                    default -> {
                        if (value.isStructStart()) {
                            parser.skipChildren();
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable message from the broker", e);
        }
        if (type == null || timestamp == null) {
            throw new IllegalArgumentException("a message from the broker needs a type and a timestamp");
        }
        return new ServerMessage(id, type, from, to, roomId, content, data, timestamp);
    }

    /** The current value as compact JSON text. */
    private String raw(JsonParser parser) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator copy = factory.createGenerator(text)) {
            copy.copyCurrentStructure(parser);
        }
        return text.toString();
    }
}
