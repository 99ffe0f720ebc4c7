package dev.relay.server.websocket;

import dev.relay.core.Hub;
import dev.relay.server.access.IpPolicy;
import dev.relay.server.access.OriginPolicy;
import dev.relay.server.auth.JwtVerifier;
import dev.relay.server.codec.JsonCodec;
import dev.relay.server.config.ServerConfig;
import dev.relay.server.http.HttpResponses;
import dev.relay.server.http.Router;
import dev.relay.server.proxy.Proxies;
import dev.relay.server.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The Netty server: event loops on the configured I/O transport (see {@link IoTransport}), the bound ports, shutdown.
 */
public final class NettyServer {
    private static final Logger LOG = LoggerFactory.getLogger(NettyServer.class);
    /**
     * Past max_pending_bytes a connection is unwritable and the write_wait clock starts; past this many times that,
     * a write is dropped and the connection closed at once: the hard bound on what one client can hold.
     */
    public static final int HARD_LIMIT_FACTOR = 4;
    /** The room a connection starts in when it names none (/ws/connect without room_id, every STOMP connection). */
    public static final String DEFAULT_ROOM = HttpGateHandler.DEFAULT_ROOM;

    private final ServerConfig config;
    private final int maxPendingBytes;
    private final RelayChannelInitializer initializer;
    private final Optional<InternalChannelInitializer> internalInitializer;
    private final Optional<Integer> internalPort;
    private final Optional<ServerTls> tls;
    private IoTransport ioTransport;
    private EventLoopGroup acceptors;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private Channel internalChannel;
    private boolean stopped;

    /**
     * @param maxPendingBytes bytes a connection may have queued before it counts as slow (max_pending_bytes)
     * @param internal        the router of the internal port (metrics, health, perhaps admin), when there is one
     * @param internalPort    the internal port; present exactly when {@code internal} is
     * @param controls        client messages the server answers itself (the analytics subscription)
     * @param endpoints       the other protocols' WebSocket endpoints (STOMP), admitted by the same gate
     */
    public NettyServer(ServerConfig config, int maxPendingBytes, Hub hub, JsonCodec codec, JwtVerifier verifier,
                     IpPolicy ipPolicy, OriginPolicy originPolicy, Router router, Optional<Router> internal,
                     Optional<Integer> internalPort, HttpResponses responses, TransportEvents events,
                     ConnectLimits limits, Proxies proxies, ControlMessages controls,
                     List<ProtocolEndpoint> endpoints) {
        this.config = config;
        this.maxPendingBytes = maxPendingBytes;
        this.internalPort = internalPort;
        this.tls = ServerTls.open(config.tls()); // a bad certificate or key stops startup here, naming the file
        ConnectionSlots slots = new ConnectionSlots(config.maxConnections());
        HttpGateHandler gate = new HttpGateHandler(hub, verifier, ipPolicy, originPolicy, slots, router, responses,
                events, limits, proxies.connect(), proxies.messages().headerNames(), endpoints);
        this.initializer = new RelayChannelInitializer(new RelayChannelInitializer.Settings(
                config.maxMessageSize(), config.enableCompression(), config.pingPeriod(), config.pongWait(),
                config.writeWait(), (long) HARD_LIMIT_FACTOR * maxPendingBytes, config.httpTimeouts()), hub, codec,
                gate, responses, events, limits.addresses(), proxies.messages(), controls, tls);
        this.internalInitializer = internal.map(r -> new InternalChannelInitializer(r, responses, config.writeWait(),
                (long) HARD_LIMIT_FACTOR * maxPendingBytes, config.httpTimeouts(), tls));
    }

    public synchronized void start() throws InterruptedException {
        IoTransport.Choice choice = IoTransport.choose(config.transport());
        choice.fellBackFrom().ifPresent(why -> LOG.warn("event=config_warning key=transport detail=\"{}, using {}\"",
                why, choice.transport().settingName()));
        ioTransport = choice.transport();
        IoHandlerFactory io = ioTransport.handlerFactory();
        Class<? extends ServerChannel> channelType = ioTransport.serverChannel();
        acceptors = new MultiThreadIoEventLoopGroup(1, io);
        workers = new MultiThreadIoEventLoopGroup(0, io); // 0: Netty's default, twice the available processors
        WriteBufferWaterMark waterMark = waterMark();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR,
                        new AdaptiveRecvByteBufAllocator(64, config.readBufferSize(), 64 * 1024))
                .childHandler(initializer);
        try {
            // The internal port first, so probes can see "starting" before the public port takes connections.
            if (internalInitializer.isPresent()) {
                internalChannel = new ServerBootstrap().group(acceptors, workers).channel(channelType)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                        .childHandler(internalInitializer.get())
                        .bind(config.host(), internalPort.orElseThrow()).sync().channel();
                LOG.info("event=listening_internal address={}", internalChannel.localAddress());
            }
            serverChannel = bootstrap.bind(config.host(), config.port()).sync().channel();
        } catch (Exception e) {
            if (internalChannel != null) {
                internalChannel.close().syncUninterruptibly();
            }
            shutdownGroups();
            throw e;
        }
        LOG.info("event=listening address={} transport={} tls={}", serverChannel.localAddress(),
                ioTransport.settingName(), tls.map(ServerTls::providerName).orElse("off"));
    }

    /** Unwritable past max_pending_bytes (the slow-consumer clock starts), writable again below half of it. */
    private WriteBufferWaterMark waterMark() {
        return new WriteBufferWaterMark(Math.min(config.writeBufferSize(), maxPendingBytes / 2), maxPendingBytes);
    }

    /**
     * A handler serving this server's {@code /ws/...} under {@code prefix} in a host's own pipeline, right after its
     * HTTP codec; one per channel (see {@link EmbeddedRelayHandler}). Same gate, limits and hub as this port.
     */
    public ChannelHandler embeddedHandler(String prefix) {
        return new EmbeddedRelayHandler(EmbeddedRelayHandler.normalizePrefix(prefix), initializer, waterMark());
    }

    /** Whether the ports speak TLS (wss:// and https://). */
    public boolean tls() {
        return tls.isPresent();
    }

    /** The I/O transport the sockets run on: epoll, io_uring or nio. */
    public String ioTransport() {
        if (ioTransport == null) {
            throw new IllegalStateException("the server is not started");
        }
        return ioTransport.settingName();
    }

    /** The event loops that own connections; for per-loop metrics. */
    public EventLoopGroup workers() {
        if (workers == null) {
            throw new IllegalStateException("the server is not started");
        }
        return workers;
    }

    /** The internal port's address, when there is one. */
    public Optional<InetSocketAddress> internalAddress() {
        return Optional.ofNullable(internalChannel).map(channel -> (InetSocketAddress) channel.localAddress());
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
        if (internalChannel != null) {
            internalChannel.close().syncUninterruptibly(); // last, so probes saw "shutting down" all along
        }
        shutdownGroups();
        tls.ifPresent(ServerTls::close);
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
