package dev.relay.bench.raw;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * "What Netty can do with no product around it": a WebSocket server on {@code /ws} that sends every text frame to
 * every client, the sender included, like the peer servers. {@code naive} writes and flushes a new frame per client
 * (Netty's encoder copies it each time); {@code batched} frames the payload once and hands each event loop one task
 * that gathers the queued frames into one buffer and writes it to each of its clients with one flush: about the
 * least work per delivery Netty allows, and the floor Relay's delivery is measured against.
 */
@Command(name = "raw-server", mixinStandardHelpOptions = true,
        description = "Minimal Netty broadcast server (the raw reference) on ws://HOST:PORT/ws.")
public final class RawBroadcastServer implements Callable<Integer> {
    @Option(names = "--port", description = "port (default 9005)")
    int port = 9005;
    @Option(names = "--host", description = "address to listen on (default 127.0.0.1)")
    String host = "127.0.0.1";
    @Option(names = "--mode", paramLabel = "naive|batched", description = "naive: writeAndFlush per client per message; batched: the frames of a batch in one shared buffer, one write and flush per client per batch (default naive)")
    String mode = "naive";
    @Option(names = "--threads", description = "event loops (default 0: Netty's default, twice the processors)")
    int threads;

    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel server;

    /** Starts listening; returns the bound port. */
    public int start() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        boss = new MultiThreadIoEventLoopGroup(1, io);
        workers = new MultiThreadIoEventLoopGroup(threads, io);
        boolean batched = switch (mode) {
            case "naive" -> false;
            case "batched" -> true;
            default -> throw new IllegalArgumentException("--mode is naive or batched, not " + mode);
        };
        ChannelGroup everyone = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        BatchedBroadcast lanes = new BatchedBroadcast();
        server = new ServerBootstrap()
                .group(boss, workers)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                new WebSocketServerProtocolHandler("/ws", null, false, 64 * 1024),
                                batched ? new BatchedHandler(lanes) : new NaiveHandler(everyone));
                    }
                })
                .bind(host, port).sync().channel();
        int bound = ((java.net.InetSocketAddress) server.localAddress()).getPort();
        System.out.printf("raw netty broadcast (%s, %s) listening on ws://%s:%d/ws%n", mode,
                epoll ? "epoll" : "nio", host, bound);
        return bound;
    }

    /** Closes the port and the event loops, waiting a few seconds at most. */
    public void stop() {
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    @Override
    public Integer call() throws Exception {
        start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
        server.closeFuture().sync();
        return 0;
    }

    /** The naive reference: a new frame and a write+flush per client per message. */
    private static final class NaiveHandler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final ChannelGroup everyone;

        NaiveHandler(ChannelGroup everyone) {
            this.everyone = everyone;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                everyone.add(ctx.channel());
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ByteBuf content = frame.content();
            for (Channel channel : everyone) {
                channel.writeAndFlush(new TextWebSocketFrame(content.retainedDuplicate()), channel.voidPromise());
            }
        }
    }

    /** Hands each message to {@link BatchedBroadcast}. */
    private static final class BatchedHandler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final BatchedBroadcast lanes;

        BatchedHandler(BatchedBroadcast lanes) {
            this.lanes = lanes;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                lanes.join(ctx.channel());
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            lanes.leave(ctx.channel());
            super.channelInactive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            lanes.broadcast(ctx.alloc(), frame.content());
        }
    }
}
