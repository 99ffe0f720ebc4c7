package dev.relay.server.cluster;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.codec.MessageCodec;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.protocol.Timestamps;
import dev.relay.server.codec.JsonCodec;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A message as nodes pass it: {@code <split>:<nanos>:<json>}, where {@code json} is the message exactly as the wire
 * has it less {@code seq}/{@code epoch} (the shared stream adds those), {@code split} is where they go in it, and
 * {@code nanos} is the part of the timestamp below the wire's milliseconds, so every node keeps the instant the
 * origin acknowledged to the nanosecond. A node receiving a room message makes its frame by inserting the position
 * ({@link #wireFrame}), without encoding it again; it still reads the message once, for its history. {@code data}
 * is copied as raw JSON both ways, never turned into a tree of objects.
 *
 * <p>Bodies an earlier version wrote (a JSON object with an ISO timestamp, no prefix) are still read, so a room's
 * stream in Redis survives an upgrade.
 */
public final class BrokerCodec implements MessageCodec {
    private final JsonCodec wire;
    private final JsonFactory factory;

    public BrokerCodec(JsonCodec wire) {
        this.wire = wire;
        this.factory = wire.mapper().getFactory();
    }

    @Override
    public byte[] encode(ServerMessage message) {
        JsonCodec.Unplaced unplaced = wire.unplaced(message);
        byte[] prefix = (unplaced.split() + ":" + message.timestamp().getNano() % 1_000_000 + ":")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[prefix.length + unplaced.json().length];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(unplaced.json(), 0, body, prefix.length, unplaced.json().length);
        return body;
    }

    @Override
    public EncodedFrame wireFrame(byte[] encoded, long seq, String epoch) {
        Prefix prefix = Prefix.of(encoded);
        if (prefix == null) {
            return null;
        }
        return wire.placed(encoded, prefix.jsonStart(), encoded.length - prefix.jsonStart(), prefix.split(), seq,
                epoch);
    }

    @Override
    public ServerMessage decode(byte[] bytes) {
        Prefix prefix = Prefix.of(bytes);
        int start = prefix == null ? 0 : prefix.jsonStart();
        String id = null, type = null, from = null, to = null, roomId = null, content = null;
        RawJson data = null;
        Instant timestamp = null;
        try (JsonParser parser = factory.createParser(bytes, start, bytes.length - start)) {
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
                    case "timestamp" -> timestamp = Timestamps.parse(parser.getText());
                    case "data" -> data = new RawJson(raw(parser, bytes, start, value));
                    default -> {
                        if (value.isStructStart()) {
                            parser.skipChildren();
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable message from the broker", e);
        }
        if (type == null || timestamp == null) {
            throw new IllegalArgumentException("a message from the broker needs a type and a timestamp");
        }
        if (prefix != null) {
            timestamp = timestamp.plusNanos(prefix.nanos());
        }
        return new ServerMessage(id, type, from, to, roomId, content, data, timestamp);
    }

    /**
     * The current value as compact JSON text. An object or array is cut from the bytes as they are: we wrote them,
     * compact, so no copy through a generator is needed. The parser counts offsets from where it started reading,
     * {@code from}.
     */
    private String raw(JsonParser parser, byte[] bytes, int from, JsonToken value) throws IOException {
        if (value.isStructStart()) {
            long start = from + parser.currentTokenLocation().getByteOffset();
            parser.skipChildren();
            long end = from + parser.currentTokenLocation().getByteOffset() + 1;
            if (start >= 0 && end <= bytes.length && start < end) {
                return new String(bytes, (int) start, (int) (end - start), StandardCharsets.UTF_8);
            }
            throw new IllegalArgumentException("cannot locate data in the message");
        }
        StringWriter text = new StringWriter();
        try (JsonGenerator copy = factory.createGenerator(text)) {
            copy.copyCurrentStructureExact(parser); // exact: numbers must not pass through double
        }
        return text.toString();
    }

    /** {@code <split>:<nanos>:} read from the front of a body, or null for a body without one (an older one). */
    private record Prefix(int split, int nanos, int jsonStart) {
        static Prefix of(byte[] body) {
            int at = 0;
            int split = 0;
            while (at < body.length && body[at] >= '0' && body[at] <= '9') {
                split = split * 10 + (body[at++] - '0');
            }
            if (at == 0 || at >= body.length || body[at] != ':') {
                return null;
            }
            int nanosStart = ++at;
            int nanos = 0;
            while (at < body.length && body[at] >= '0' && body[at] <= '9') {
                nanos = nanos * 10 + (body[at++] - '0');
            }
            if (at == nanosStart || at >= body.length || body[at] != ':' || nanos >= 1_000_000) {
                throw new IllegalArgumentException("a message from the broker has a malformed prefix");
            }
            return new Prefix(split, nanos, at + 1);
        }
    }
}
