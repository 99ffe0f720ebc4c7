package dev.relay.server.websocket;

import dev.relay.core.Hub;
import dev.relay.server.access.IpPolicy;
import dev.relay.server.access.OriginPolicy;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.config.ServerConfig;
import dev.relay.server.http.HttpResponses;
import dev.relay.server.http.RestApi;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The Netty server: event loops (epoll where the platform has it, NIO elsewhere), the bound port, shutdown. */
public final class Transport {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
    /**
     * Past max_pending_bytes a connection is unwritable and the write_wait clock starts; past this many times that,
     * a write is dropped and the connection closed at once: the hard bound on what one client can hold.
     */
    static final int HARD_LIMIT_FACTOR = 4;

    private final ServerConfig config;
    private final int maxPendingBytes;
    private final RelayChannelInitializer initializer;
    private final boolean epoll = Epoll.isAvailable();
    private EventLoopGroup acceptors;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private boolean stopped;

    public Transport(ServerConfig config, int maxPendingBytes, Hub hub, JsonCodec codec, JwtVerifier verifier,
                     IpPolicy ipPolicy, OriginPolicy originPolicy, RestApi restApi, HttpResponses responses,
                     ConnectLimits limits) {
        this.config = config;
        this.maxPendingBytes = maxPendingBytes;
        ConnectionSlots slots = new ConnectionSlots(config.maxConnections());
        HttpGateHandler gate = new HttpGateHandler(hub, verifier, ipPolicy, originPolicy, slots, restApi, responses,
                limits);
        this.initializer = new RelayChannelInitializer(new RelayChannelInitializer.Settings(
                config.maxMessageSize(), config.enableCompression(), config.pingPeriod(), config.pongWait(),
                config.writeWait(), (long) HARD_LIMIT_FACTOR * maxPendingBytes), hub, codec, gate, responses);
    }

    public synchronized void start() throws InterruptedException {
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        acceptors = new MultiThreadIoEventLoopGroup(1, io);
        workers = new MultiThreadIoEventLoopGroup(0, io); // 0: Netty's default, twice the available processors
        int lowWaterMark = Math.min(config.writeBufferSize(), maxPendingBytes / 2);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(lowWaterMark, maxPendingBytes))
                .childOption(ChannelOption.RCVBUF_ALLOCATOR,
                        new AdaptiveRecvByteBufAllocator(64, config.readBufferSize(), 64 * 1024))
                .childHandler(initializer);
        try {
            serverChannel = bootstrap.bind(config.host(), config.port()).sync().channel();
        } catch (Exception e) {
            shutdownGroups();
            throw e;
        }
        LOG.info("event=listening address={} transport={}", serverChannel.localAddress(), epoll ? "epoll" : "nio");
    }

    public InetSocketAddress localAddress() {
        if (serverChannel == null) {
            throw new IllegalStateException("the server is not started");
        }
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Stops accepting, runs {@code closeClients}, waits until {@code drained} or the grace period ends, then shuts
     * the event loops down.
     */
    public synchronized void stop(Runnable closeClients, BooleanSupplier drained, Duration grace) {
        if (stopped || serverChannel == null) {
            return;
        }
        stopped = true;
        LOG.info("event=shutting_down");
        serverChannel.close().syncUninterruptibly();
        closeClients.run();
        long deadline = System.nanoTime() + grace.toNanos();
        while (!drained.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        shutdownGroups();
        LOG.info("event=stopped");
    }

    private void shutdownGroups() {
        if (acceptors != null) {
            acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
