package dev.relay.core.policy;

import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.ProtocolException;
import dev.relay.core.room.RoomIds;

/** What a message must look like before it is routed: the seed's input validation, in one place. */
public final class MessageRules {
    private final int maxContentLength;

    /** @param maxContentLength most Unicode code points a message's {@code content} may have */
    public MessageRules(int maxContentLength) {
        this.maxContentLength = maxContentLength;
    }

    /** A message that carries something must carry content or data, and content within the length limit. */
    public void checkBody(ClientMessage message) {
        String content = message.content();
        if ((content == null || content.isEmpty()) && message.data() == null) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "a message needs 'content' or 'data'");
        }
        if (content != null && content.length() > maxContentLength
                && content.codePointCount(0, content.length()) > maxContentLength) {
            throw new ProtocolException(ErrorCode.MESSAGE_TOO_LONG,
                    "content has " + content.codePointCount(0, content.length()) + " characters; the limit is "
                            + maxContentLength);
        }
    }

    /** The message's room id, present and well-formed. */
    public String requireRoomId(ClientMessage message) {
        String roomId = message.roomId();
        if (roomId == null || roomId.isEmpty()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "'" + message.type() + "' needs a 'room_id'");
        }
        if (!RoomIds.isValid(roomId)) {
            throw new ProtocolException(ErrorCode.INVALID_ROOM_ID, "invalid room id: " + RoomIds.RULE);
        }
        return roomId;
    }
}
