package dev.relay.server.socketio;

/**
 * One Socket.IO packet as text (protocol 5): {@code <type>[<attachments>-][<namespace>,][<ack id>][<JSON>]}.
 *
 * @param attachments the binary attachments that follow a binary packet (type 5 or 6), else 0
 * @param namespace   {@code /} unless the packet names another
 * @param ackId       the acknowledgement id, or -1
 * @param json        the payload as JSON text, or null
 */
record SocketIoPacket(int type, int attachments, String namespace, long ackId, String json) {
    static final int CONNECT = 0;
    static final int DISCONNECT = 1;
    static final int EVENT = 2;
    static final int ACK = 3;
    static final int CONNECT_ERROR = 4;
    static final int BINARY_EVENT = 5;
    static final int BINARY_ACK = 6;

    /** Reads a packet; throws IllegalArgumentException for text that is none. */
    static SocketIoPacket parse(String text) {
        if (text.isEmpty() || text.charAt(0) < '0' || text.charAt(0) > '6') {
            throw new IllegalArgumentException("not a Socket.IO packet");
        }
        int type = text.charAt(0) - '0';
        int i = 1;
        int attachments = 0;
        if (type == BINARY_EVENT || type == BINARY_ACK) {
            int dash = text.indexOf('-', i);
            if (dash < 0) {
                throw new IllegalArgumentException("a binary packet without its attachment count");
            }
            attachments = Integer.parseInt(text.substring(i, dash));
            i = dash + 1;
        }
        String namespace = "/";
        if (i < text.length() && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            namespace = comma < 0 ? text.substring(i) : text.substring(i, comma);
            i = comma < 0 ? text.length() : comma + 1;
        }
        long ackId = -1;
        int digits = i;
        while (digits < text.length() && Character.isDigit(text.charAt(digits)) && digits - i < 18) {
            digits++;
        }
        if (digits > i) {
            ackId = Long.parseLong(text.substring(i, digits));
            i = digits;
        }
        String json = i < text.length() ? text.substring(i) : null;
        return new SocketIoPacket(type, attachments, namespace, ackId, json);
    }

    /** Writes a packet for the main namespace. */
    static String encode(int type, long ackId, String json) {
        StringBuilder out = new StringBuilder(json == null ? 8 : json.length() + 8).append(type);
        if (ackId >= 0) {
            out.append(ackId);
        }
        if (json != null) {
            out.append(json);
        }
        return out.toString();
    }
}
