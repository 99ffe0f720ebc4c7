package dev.relay.server.stomp;

import dev.relay.core.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.stomp.DefaultStompFrame;
import io.netty.handler.codec.stomp.StompCommand;
import io.netty.handler.codec.stomp.StompFrame;
import io.netty.handler.codec.stomp.StompHeaders;

import java.nio.charset.StandardCharsets;

/** The frames Relay writes that do not depend on a connection's state. */
final class StompFrames {
    /** The ERROR header carrying Relay's error code ({@code unauthorized}, {@code not_member}...). */
    static final String CODE = "code";
    static final String JSON = "application/json";

    private StompFrames() {
    }

    static StompFrame receipt(String receiptId) {
        StompFrame frame = new DefaultStompFrame(StompCommand.RECEIPT);
        frame.headers().set(StompHeaders.RECEIPT_ID, receiptId);
        return frame;
    }

    /** An ERROR for a refusal decided here, before or besides the hub: the text is the body too, for people. */
    static StompFrame error(ProtocolException refused, String receiptId) {
        ByteBuf body = Unpooled.copiedBuffer(refused.getMessage(), StandardCharsets.UTF_8);
        StompFrame frame = error(refused.code().code(), refused.getMessage(), receiptId, body);
        frame.headers().set(StompHeaders.CONTENT_TYPE, "text/plain");
        return frame;
    }

    /** An ERROR frame with Relay's code, the text as {@code message}, and {@code body} (taken over). */
    static StompFrame error(String code, String message, String receiptId, ByteBuf body) {
        StompFrame frame = new DefaultStompFrame(StompCommand.ERROR, body);
        frame.headers().set(StompHeaders.MESSAGE, oneLine(message));
        frame.headers().set(CODE, code);
        if (receiptId != null) {
            frame.headers().set(StompHeaders.RECEIPT_ID, receiptId);
        }
        frame.headers().setInt(StompHeaders.CONTENT_LENGTH, body.readableBytes());
        return frame;
    }

    /** A header value cannot hold a line break, whatever text a refusal carries. */
    private static String oneLine(String text) {
        return text == null ? "" : text.replace('\n', ' ').replace('\r', ' ');
    }
}
