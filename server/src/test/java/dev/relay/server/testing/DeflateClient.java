package dev.relay.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client that compresses what it sends, as browsers do: Netty's WebSocket client with its permessage-deflate
 * handler (the JDK's client offers no compression). Reads text messages and the server's close code.
 */
public final class DeflateClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> extensions = new CompletableFuture<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final Channel channel;

    private DeflateClient(URI uri) throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                WebSocketClientCompressionHandler.INSTANCE,
                                // close frames come to us, for their code, instead of being answered silently
                                new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                        uri, WebSocketVersion.V13, null, true, new DefaultHttpHeaders(),
                                        64 * 1024 * 1024), false),
                                new Reader());
                    }
                })
                .connect(uri.getHost(), uri.getPort()).sync().channel();
        channel.closeFuture().addListener(closed -> closeCode.complete(1006));
    }

    /** Connects and waits for the handshake; the server's answer to the offer is in {@link #negotiated()}. */
    public static DeflateClient connect(URI uri) {
        try {
            DeflateClient client = new DeflateClient(uri);
            client.extensions.get(5, TimeUnit.SECONDS);
            return client;
        } catch (Exception e) {
            throw new IllegalStateException("no WebSocket handshake with " + uri, e);
        }
    }

    /** The handler names of the client's pipeline after the handshake: one has "Deflate" in it when it was agreed. */
    public String negotiated() {
        return extensions.join();
    }

    /** Sends one text message; Netty's extension encoder compresses it. */
    public void send(String text) {
        try {
            channel.writeAndFlush(new TextWebSocketFrame(text)).sync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next message of this type, skipping others; fails after 5 seconds. */
    public JsonNode awaitType(String type) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (true) {
                String text = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (text == null) {
                    throw new AssertionError("no '" + type + "' message within 5 s");
                }
                JsonNode message = JSON.readTree(text);
                if (type.equals(message.path("type").asText())) {
                    return message;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The code of the server's close frame, or 1006 when the connection ended without one; waits up to 5 s. */
    public int awaitCloseCode() {
        try {
            return closeCode.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the connection was not closed within 5 s", e);
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private final class Reader extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                received.add(text.text());
            } else if (frame instanceof CloseWebSocketFrame close) {
                closeCode.complete(close.statusCode());
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                StringBuilder names = new StringBuilder();
                ctx.pipeline().forEach(entry -> names.append(entry.getValue().getClass().getSimpleName()).append(' '));
                extensions.complete(names.toString());
            }
            super.userEventTriggered(ctx, event);
        }
    }
}
