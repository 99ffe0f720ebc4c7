package dev.relay.server.stomp;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.stomp.StompFrame;
import io.netty.handler.codec.stomp.StompSubframeEncoder;

/** Netty's STOMP encoder, each whole frame sent as one WebSocket text message (as STOMP over WebSocket expects). */
final class StompWebSocketEncoder extends StompSubframeEncoder {
    @Override
    protected Object convertFullFrame(StompFrame original, ByteBuf encoded) {
        return new TextWebSocketFrame(encoded);
    }
}
