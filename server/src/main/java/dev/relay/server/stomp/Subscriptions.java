package dev.relay.server.stomp;

import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;

import java.util.HashMap;
import java.util.Map;

/**
 * One connection's subscriptions, by the client's subscription id and by what they receive; touched on the
 * connection's event loop only. A room, the private queue and the broadcast topic each have at most one
 * subscription: a second would only receive the same frames twice.
 */
final class Subscriptions {
    /** Most subscriptions of one connection: each room one, so this bounds a connection's rooms through STOMP. */
    static final int MAX = 1_000;

    private final Map<String, Destination> byId = new HashMap<>();
    private final Map<String, String> roomToId = new HashMap<>();
    private String privateId;
    private String broadcastId;

    void add(String id, Destination destination) {
        if (id == null || id.isEmpty()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "SUBSCRIBE needs an 'id' header");
        }
        if (byId.containsKey(id)) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "subscription id '" + id + "' is already in use");
        }
        if (idFor(destination) != null) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "already subscribed to " + destination.name());
        }
        if (byId.size() >= MAX) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "at most " + MAX + " subscriptions per connection");
        }
        byId.put(id, destination);
        switch (destination.kind()) {
            case ROOM -> roomToId.put(destination.target(), id);
            case PRIVATE -> privateId = id;
            case BROADCAST -> broadcastId = id;
            default -> throw new IllegalArgumentException("not a subscription: " + destination);
        }
    }

    /** Removes the subscription, answering what it was, or null when there is none with that id. */
    Destination remove(String id) {
        Destination destination = id == null ? null : byId.remove(id);
        if (destination != null) {
            switch (destination.kind()) {
                case ROOM -> roomToId.remove(destination.target());
                case PRIVATE -> privateId = null;
                case BROADCAST -> broadcastId = null;
                default -> { }
            }
        }
        return destination;
    }

    String idFor(Destination destination) {
        return switch (destination.kind()) {
            case ROOM -> roomToId.get(destination.target());
            case PRIVATE -> privateId;
            case BROADCAST -> broadcastId;
            default -> null;
        };
    }

    String roomId(String roomId) {
        return roomToId.get(roomId);
    }

    String privateId() {
        return privateId;
    }

    String broadcastId() {
        return broadcastId;
    }
}
