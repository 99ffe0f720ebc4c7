package dev.relay.server.websocket;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * Notes the close code a client sends, for the connections-closed metric and the activity log. It sits before the
 * protocol handler, which answers close frames itself and passes them no further. Passes every message on.
 */
@ChannelHandler.Sharable
final class ClientCloseRecorder extends ChannelInboundHandlerAdapter {
    static final ClientCloseRecorder INSTANCE = new ClientCloseRecorder();

    private ClientCloseRecorder() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
        if (message instanceof CloseWebSocketFrame close) {
            NettyConnection connection = WebSocketFrameHandler.connectionOf(ctx);
            if (connection != null) {
                int code = close.statusCode();
                connection.recordClose(code < 0 ? NettyConnection.NO_STATUS : code);
            }
        }
        super.channelRead(ctx, message);
    }
}
