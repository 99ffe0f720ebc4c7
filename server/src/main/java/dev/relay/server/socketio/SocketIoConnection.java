package dev.relay.server.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.delivery.Connection;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.MessageType;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.codec.ReadBack;
import dev.relay.server.codec.WireFrame;
import dev.relay.server.websocket.LoopSends;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A Socket.IO client as the hub sees it: each message the hub writes (Relay's JSON, encoded once for all recipients)
 * becomes a Socket.IO event named by its {@code type}, with the JSON as its argument (and the recovery offset last);
 * the answer to an event that asked for an acknowledgement goes to its callback instead; the welcome is Socket.IO's
 * {@code CONNECT} answer. Reading the type back costs a JSON parse per recipient, as for STOMP.
 */
final class SocketIoConnection implements Connection {
    private final EngineSession engine;
    private final JsonCodec codec;

    SocketIoConnection(EngineSession engine, JsonCodec codec) {
        this.engine = engine;
        this.codec = codec;
    }

    @Override
    public Executor executor() {
        return engine.loop();
    }

    @Override
    public void write(EncodedFrame frame) {
        WireFrame wire = (WireFrame) frame;
        ReadBack read = ReadBack.of(codec, wire);
        if (read == null) {
            return; // a relayed binary WebSocket frame: not mapped (docs/compatibility.md)
        }
        Map<String, Object> message = read.fields();
        String type = String.valueOf(message.get("type"));
        Map<?, ?> data = message.get("data") instanceof Map<?, ?> map ? map : Map.of();
        String ref = data.get("ref") instanceof String id ? id : null;
        if (type.equals(MessageType.WELCOME)) {
            engine.welcomed(String.valueOf(data.get("client_id")));
            return;
        }
        String json = read.json();
        if (ref != null && (type.equals("resumed") || type.equals(MessageType.ERROR))
                && engine.resumedAnswer(ref, Boolean.TRUE.equals(data.get("recovered")))) {
            return;
        }
        List<byte[]> binary = List.of();
        if (json.contains("\"" + BinaryAttachments.BINARY + "\"")) {
            try {
                JsonNode tree = codec.mapper().readTree(json);
                binary = BinaryAttachments.extract(tree);
                json = tree.toString();
            } catch (IOException unreadable) {
                throw new IllegalStateException("a frame the codec wrote could not be read back", unreadable);
            }
        }
        Long ackId = engine.takeAck(ref);
        if (ackId != null) {
            engine.send(binary.isEmpty() ? "43" + ackId + "[" + json + "]"
                    : "46" + binary.size() + "-" + ackId + "[" + json + "]", false);
            binary.forEach(engine::sendBinary);
            return;
        }
        if (type.equals(MessageType.ROOM_MESSAGE) && message.get("epoch") instanceof String epoch
                && message.get("seq") instanceof Number seq) {
            engine.delivered(String.valueOf(message.get("room_id")), epoch, seq.longValue());
        } else if (type.equals(MessageType.LEFT) || type.equals("room_closed")) {
            engine.forgetRoom(String.valueOf(message.get("room_id")));
        }
        String offset = engine.offset();
        String args = "[" + EngineSession.quote(type) + "," + json + (offset == null ? "" : ","
                + EngineSession.quote(offset)) + "]";
        engine.send(binary.isEmpty() ? "42" + args : "45" + binary.size() + "-" + args, false);
        binary.forEach(engine::sendBinary);
    }

    @Override
    public void flush() {
        engine.flush();
    }

    @Override
    public void send(EncodedFrame frame) {
        LoopSends.send(engine.loop(), frame, onLoop -> {
            write(onLoop);
            flush();
        });
    }

    @Override
    public void close(CloseReason reason) {
        engine.execute(() -> engine.closeFromHub(reason));
    }

    @Override
    public String remoteAddress() {
        return engine.remoteAddress();
    }
}
