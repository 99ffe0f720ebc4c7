package dev.relay.core.testing;

import dev.relay.core.codec.MessageCodec;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** A broker codec for engine tests, so they need no JSON library: fields on lines, {@code data} as raw JSON. */
public final class TextCodec implements MessageCodec {
    private static final String NULL = "\u0000";

    @Override
    public byte[] encode(ServerMessage m) {
        String[] fields = {m.id(), m.type(), m.from(), m.to(), m.roomId(), m.content(),
                m.data() == null ? null : m.data().toString(), m.timestamp().toString()};
        StringBuilder out = new StringBuilder();
        for (String field : fields) {
            out.append(field == null ? NULL : field).append('\u0001');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ServerMessage decode(byte[] bytes) {
        String[] f = new String(bytes, StandardCharsets.UTF_8).split("\u0001", -1);
        if (f.length != 9) {
            throw new IllegalArgumentException("not a TextCodec message");
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals(NULL)) {
                f[i] = null;
            }
        }
        return new ServerMessage(f[0], f[1], f[2], f[3], f[4], f[5], f[6] == null ? null : new RawJson(f[6]),
                Instant.parse(f[7]));
    }
}
