package dev.relay.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The client side's event loops (epoll where available, NIO elsewhere, io_uring when asked for) and the connecting
 * of many connections with a bounded number of handshakes in flight, spread over several loopback source addresses
 * when one would run out of ports.
 */
final class Clients implements AutoCloseable {
    /** Ephemeral ports per source address (Linux's default range is 32768-60999). */
    static final int PORTS_PER_ADDRESS = 28_000;

    private final EventLoopGroup loops;
    private final Bootstrap bootstrap;
    private final String transport;

    /** @param transport epoll, io_uring or nio; one that does not load here falls back to epoll, then NIO */
    Clients(int threads, String transport) {
        this.transport = transport.equals("io_uring") && IoUring.isAvailable() ? "io_uring"
                : !transport.equals("nio") && Epoll.isAvailable() ? "epoll" : "nio";
        IoHandlerFactory io = switch (this.transport) {
            case "io_uring" -> IoUringIoHandler.newFactory();
            case "epoll" -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
        this.loops = new MultiThreadIoEventLoopGroup(threads, io);
        this.bootstrap = new Bootstrap()
                .group(loops)
                .channel(switch (this.transport) {
                    case "io_uring" -> IoUringSocketChannel.class;
                    case "epoll" -> EpollSocketChannel.class;
                    default -> NioSocketChannel.class;
                })
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
    }

    /** The transport in use. */
    String transport() {
        return transport;
    }

    /** How many source addresses {@code connections} need: one per {@link #PORTS_PER_ADDRESS}. */
    static int sourceAddressesFor(int connections) {
        return Math.max(1, (connections + PORTS_PER_ADDRESS - 1) / PORTS_PER_ADDRESS);
    }

    /**
     * The local address of connection {@code index} when {@code addresses} source addresses are in use: 127.0.0.1,
     * 127.0.0.2... in turn; null (the kernel's choice) when one is enough.
     */
    static InetSocketAddress sourceAddress(int index, int addresses) {
        if (addresses <= 1) {
            return null;
        }
        int n = 1 + index % addresses;
        return new InetSocketAddress("127." + (n >> 16 & 0xFF) + "." + (n >> 8 & 0xFF) + "." + (n & 0xFF), 0);
    }

    /**
     * Connects every connection, at most {@code concurrency} handshakes at a time, and waits until each is ready or
     * has failed. Returns the failures' messages (empty when all connected). {@code progress} hears the count of
     * finished handshakes now and then.
     */
    private static InetSocketAddress target(ClientConnection connection, InetSocketAddress server) {
        return connection.server() != null ? connection.server() : server;
    }

    List<String> open(List<ClientConnection> connections, InetSocketAddress server, int sourceAddresses,
                      int concurrency, Duration timeout, IntConsumer progress) throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        long deadline = System.nanoTime() + timeout.toNanos();
        int done = 0;
        for (ClientConnection connection : connections) {
            long left = deadline - System.nanoTime();
            if (!permits.tryAcquire(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                break;
            }
            connection.ready.whenComplete((ok, failed) -> permits.release());
            connection.starting();
            InetSocketAddress local = sourceAddress(connection.index, sourceAddresses);
            ChannelFuture connect = local == null
                    ? bootstrap.clone().handler(connection).connect(target(connection, server))
                    : bootstrap.clone().handler(connection).connect(target(connection, server), local);
            connect.addListener(future -> {
                if (!future.isSuccess()) {
                    connection.ready.completeExceptionally(future.cause());
                }
            });
            if (++done % 1000 == 0) {
                progress.accept(done);
            }
        }
        List<String> failures = new ArrayList<>();
        for (ClientConnection connection : connections) {
            CompletableFuture<ClientConnection> ready = connection.ready;
            long left = deadline - System.nanoTime();
            try {
                ready.get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(String.valueOf(e.getCause().getMessage()));
            } catch (java.util.concurrent.TimeoutException e) {
                ready.completeExceptionally(e);
                failures.add("not ready within " + timeout.toSeconds() + " s");
            }
        }
        return failures;
    }

    static void closeAll(List<ClientConnection> connections) {
        connections.forEach(ClientConnection::close);
    }

    @Override
    public void close() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static Class<? extends Channel> channelType() {
        return Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
