package dev.relay.engine.redis;

import java.nio.charset.StandardCharsets;

/**
 * Key and channel names. A room's keys and its channel share the hash tag {@code {roomId}}, so on Redis Cluster the
 * script that touches all of them, and its {@code SPUBLISH}, run on one shard.
 */
final class Keys {
    private final String prefix;

    Keys(String prefix) {
        this.prefix = prefix;
    }

    String roomMeta(String roomId) {
        return prefix + "room:{" + roomId + "}:meta";
    }

    String roomStream(String roomId) {
        return prefix + "room:{" + roomId + "}:stream";
    }

    String roomDedup(String roomId, String retryKey) {
        return prefix + "room:{" + roomId + "}:dedup:" + retryKey;
    }

    /** Who is in the room on one node: user id to "connections joinedAtMillis name". */
    String roomOn(String roomId, String nodeId) {
        return prefix + "room:{" + roomId + "}:on:" + nodeId;
    }

    /** The nodes that may have an {@link #roomOn} entry for the room. */
    String roomNodes(String roomId) {
        return prefix + "room:{" + roomId + "}:nodes";
    }

    /** The room's users across the cluster: user id to the number of nodes they are in the room on. */
    String roomUsers(String roomId) {
        return prefix + "room:{" + roomId + "}:users";
    }

    /** The room's connections across the cluster, a counter. */
    String roomConnections(String roomId) {
        return prefix + "room:{" + roomId + "}:connections";
    }

    /** The last status announced in the room per user ("left" once they left it, until offline is said). */
    String roomStatus(String roomId) {
        return prefix + "room:{" + roomId + "}:status";
    }

    /** Rooms created at run time, for nodes that start later: id to encoded spec. */
    String rooms() {
        return prefix + "rooms";
    }

    String roomChannel(String roomId) {
        return prefix + "r:{" + roomId + "}";
    }

    String userChannel(String userId) {
        return prefix + "u:" + userId;
    }

    String everyoneChannel() {
        return prefix + "all";
    }

    /** What a channel this engine subscribed to is for: 'r', 'u' or 'a', and the id after it. */
    Channel parse(String channel) {
        String rest = channel.substring(prefix.length());
        if (rest.equals("all")) {
            return new Channel('a', "");
        }
        char kind = rest.charAt(0);
        return new Channel(kind, kind == 'r' ? rest.substring(3, rest.length() - 1) : rest.substring(2));
    }

    record Channel(char kind, String id) {
    }

    /** The header line of a room event on a room's channel, where room messages have "seq epoch length". */
    static final String EVENT_HEADER = "-";

    static byte[] roomEvent(byte[] body) {
        byte[] payload = new byte[body.length + 2];
        payload[0] = '-';
        payload[1] = '\n';
        System.arraycopy(body, 0, payload, 2, body.length);
        return payload;
    }

    static boolean isRoomEvent(byte[] payload) {
        return payload.length >= 2 && payload[0] == '-' && payload[1] == '\n';
    }

    /** The event a {@link #roomEvent} payload carries. */
    static byte[] roomEventBody(byte[] payload) {
        return java.util.Arrays.copyOfRange(payload, 2, payload.length);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
