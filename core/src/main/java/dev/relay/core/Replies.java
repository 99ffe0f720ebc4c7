package dev.relay.core;

import dev.relay.core.cluster.Published;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.codec.Encoder;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.core.session.Session;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The frames the hub writes to a single connection — acks, control replies, errors — and the one way they are written:
 * encoded, sent and released at once. Shared by {@link Hub} and the classes it delegates to so every answer is stamped
 * by the same clock and no path forgets to release a frame. {@link #send} must run on the session's executor.
 */
final class Replies {
    private final Encoder encoder;
    private final Clock clock;

    Encoder encoder() {
        return encoder;
    }

    Replies(Encoder encoder, Clock clock) {
        this.encoder = encoder;
        this.clock = clock;
    }

    /** The {@code ack} for an accepted message; {@code seq} only for room messages, the only ones with a stream. */
    ServerMessage ack(String ref, Published published) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("ref", ref);
        data.put("id", published.id());
        if (published.seq() != null) {
            data.put("seq", published.seq());
        }
        if (published.storedOffline()) {
            data.put("stored_offline", true);
        }
        return new ServerMessage(null, MessageType.ACK, null, null, null, null, data, clock.instant());
    }

    /** A control reply; {@code extra} is key, value, key, value... and goes before the {@code ref}. */
    ServerMessage reply(String type, String roomId, String ref, Object... extra) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < extra.length; i += 2) {
            data.put((String) extra[i], extra[i + 1]);
        }
        if (ref != null) {
            data.put("ref", ref);
        }
        return new ServerMessage(null, type, null, null, roomId, null, data.isEmpty() ? null : data, clock.instant());
    }

    /**
     * Queues the reply on the session's delivery lane, from any thread: the replies a thread hands over together go
     * out in one task and one flush per connection.
     */
    void queue(Session session, ServerMessage message) {
        encodeTo(message, session.outbox()::send);
    }

    /** Writes straight to the connection, bypassing the delivery lane; call on the session's executor. */
    void send(Session session, ServerMessage message) {
        encodeTo(message, session.connection()::send);
    }

    /** Encodes once and hands the frame over; the receiver takes its own reference if it keeps it. */
    private void encodeTo(ServerMessage message, Consumer<EncodedFrame> receiver) {
        EncodedFrame frame = encoder.encode(message);
        try {
            receiver.accept(frame);
        } finally {
            frame.release();
        }
    }

    /** A map that keeps the order the fields are given in, so frames read the same on every run. */
    static Map<String, Object> orderedMap(String... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
