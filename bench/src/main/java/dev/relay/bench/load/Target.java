package dev.relay.bench.load;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * What the generator talks to. {@link #RELAY} speaks Relay's JSON protocol (token, room, envelope); {@link #RAW}
 * is plain text broadcast, as the peer servers and the raw Netty reference do; {@link #SOCKETIO} is the same
 * broadcast behind Socket.IO's framing over a raw WebSocket; {@link #RELAY_SOCKETIO} is Relay's own Socket.IO
 * endpoint (token in the query, {@code room_message} events to the room).
 */
public enum Target {
    RELAY("ws://127.0.0.1:8080/ws/connect"),
    RAW("ws://127.0.0.1:8080/ws"),
    SOCKETIO("ws://127.0.0.1:8080/socket.io/?EIO=4&transport=websocket"),
    RELAY_SOCKETIO("ws://127.0.0.1:8080/socket.io/?EIO=4&transport=websocket");

    private final String defaultUrl;

    Target(String defaultUrl) {
        this.defaultUrl = defaultUrl;
    }

    public URI defaultUrl() {
        return URI.create(defaultUrl);
    }

    /** The request target (path and query) a connection asks for; Relay adds its room and token. */
    String requestTarget(URI url, String roomId, String token) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String query = url.getRawQuery();
        if (this == RELAY || this == RELAY_SOCKETIO) {
            // Relay's Socket.IO endpoint reads the token from the handshake when CONNECT carries none.
            String extra = this == RELAY ? "room_id=" + roomId + "&token=" + token : "token=" + token;
            query = query == null || query.isEmpty() ? extra : query + "&" + extra;
        }
        return query == null ? path : path + "?" + query;
    }

    /** The bytes around a payload in a published message: to a room (Relay), or to everyone (broadcast servers). */
    Template roomTemplate(String roomId) {
        return switch (this) {
            case RELAY -> new Template("{\"type\":\"room_message\",\"room_id\":\"" + roomId + "\",\"content\":\"", "\"}");
            case RAW -> new Template("", "");
            case SOCKETIO -> new Template("42[\"msg\",\"", "\"]");
            case RELAY_SOCKETIO -> new Template("42[\"room_message\",{\"room_id\":\"" + roomId + "\",\"content\":\"",
                    "\"}]");
        };
    }

    /** Whether the target checks Relay's tokens. */
    boolean needsToken() {
        return this == RELAY || this == RELAY_SOCKETIO;
    }

    /** A private message to {@code userId}; only Relay has them. */
    Template privateTemplate(String userId) {
        if (this != RELAY) {
            throw new IllegalArgumentException("private messages need --target relay");
        }
        return new Template("{\"type\":\"private_message\",\"to\":\"" + userId + "\",\"content\":\"", "\"}");
    }

    /** Prefix and suffix of a published text frame, as bytes ready to copy. */
    record Template(byte[] prefix, byte[] suffix) {
        Template(String prefix, String suffix) {
            this(prefix.getBytes(StandardCharsets.UTF_8), suffix.getBytes(StandardCharsets.UTF_8));
        }
    }
}
