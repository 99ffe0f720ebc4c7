package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate: a client that offers it (Netty's, as browsers do) gets compressed frames it can read, side by
 * side with a client that does not offer it and gets the shared pre-encoded frames.
 */
class CompressionIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void compressingAndPlainClientsBothReadTheSameRoomMessages() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (TestServer server = TestServer.start(Map.of("enable_compression", "true"));
             WsClient plain = server.connect("plain", "general")) {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            BlockingQueue<String> extensions = new LinkedBlockingQueue<>();
            URI uri = server.connectUri("general", server.token("deflater"));
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                    WebSocketClientCompressionHandler.INSTANCE,
                                    new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                            uri, WebSocketVersion.V13, null, true, new DefaultHttpHeaders())),
                                    new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                            received.add(frame.text());
                                        }

                                        @Override
                                        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                            if (event instanceof WebSocketClientProtocolHandler.ClientHandshakeStateEvent state
                                                    && state == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                                ctx.pipeline().forEach(entry -> extensions.add(entry.getValue().getClass().getSimpleName()));
                                            }
                                        }
                                    });
                        }
                    })
                    .connect(uri.getHost(), uri.getPort()).sync().channel();

            JsonNode welcome = JSON.readTree(received.poll(5, TimeUnit.SECONDS));
            assertThat(welcome.path("type").asText()).isEqualTo("welcome");
            assertThat(extensions).anyMatch(name -> name.contains("Deflate"));

            plain.send(Map.of("type", "room_message", "room_id", "general", "content", "squeeze me ".repeat(50)));
            String expected = "squeeze me ".repeat(50);
            assertThat(plain.awaitType("room_message").path("content").asText()).isEqualTo(expected);
            JsonNode message;
            do {
                message = JSON.readTree(received.poll(5, TimeUnit.SECONDS));
            } while (!message.path("type").asText().equals("room_message"));
            assertThat(message.path("content").asText()).isEqualTo(expected);

            channel.writeAndFlush(new TextWebSocketFrame(
                    "{\"type\":\"room_message\",\"room_id\":\"general\",\"content\":\"from deflate\"}")).sync();
            assertThat(plain.awaitType("room_message").path("content").asText()).isEqualTo("from deflate");
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
