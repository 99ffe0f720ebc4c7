package dev.relay.server.stomp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.util.List;

/**
 * Hands the STOMP decoder the bytes of each (aggregated) text or binary WebSocket message; the decoder reads them as
 * one stream, so a heart-beat's lone newline and a frame split across messages both read as STOMP says.
 */
final class WebSocketBytes extends MessageToMessageDecoder<WebSocketFrame> {
    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
            out.add(frame.content().retain());
        }
    }
}
