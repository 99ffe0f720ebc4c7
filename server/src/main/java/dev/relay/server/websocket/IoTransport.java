package dev.relay.server.websocket;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The I/O transports Netty can run Relay's sockets on. epoll makes one system call per socket write; io_uring queues
 * the writes of an event-loop turn and submits them together; NIO is the JDK's portable selector. The native ones
 * load only on Linux, and io_uring not where the kernel or a seccomp filter (Docker's default one) refuses it, so a
 * choice that cannot load falls back to the next that can.
 */
enum IoTransport {
    IO_URING {
        @Override
        Optional<Throwable> unavailability() {
            return IoUring.isAvailable() ? Optional.empty() : Optional.of(IoUring.unavailabilityCause());
        }

        @Override
        IoHandlerFactory handlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return IoUringServerSocketChannel.class;
        }
    },
    EPOLL {
        @Override
        Optional<Throwable> unavailability() {
            return Epoll.isAvailable() ? Optional.empty() : Optional.of(Epoll.unavailabilityCause());
        }

        @Override
        IoHandlerFactory handlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return EpollServerSocketChannel.class;
        }
    },
    NIO {
        @Override
        Optional<Throwable> unavailability() {
            return Optional.empty();
        }

        @Override
        IoHandlerFactory handlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return NioServerSocketChannel.class;
        }
    };

    /** What {@code auto} tries, best first; see BENCHMARKS.md for why epoll comes before io_uring. */
    private static final List<IoTransport> AUTO = List.of(EPOLL, IO_URING, NIO);

    /** Why this transport cannot load here; empty when it can. */
    abstract Optional<Throwable> unavailability();

    abstract IoHandlerFactory handlerFactory();

    abstract Class<? extends ServerChannel> serverChannel();

    /** The name the {@code transport} setting uses. */
    String settingName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The transport for a {@code transport} setting: the one named if it loads here, else the first of
     * {@code auto}'s order that does; {@code fellBackFrom} says what was asked for and why it could not load.
     */
    static Choice choose(String setting) {
        return choose(setting, IoTransport::unavailability);
    }

    /** {@link #choose(String)} with the question "why can it not load here?" answered by {@code unavailability}. */
    static Choice choose(String setting, Function<IoTransport, Optional<Throwable>> unavailability) {
        IoTransport firstLoading = AUTO.stream().filter(t -> unavailability.apply(t).isEmpty()).findFirst().orElse(NIO);
        if (setting.equals("auto")) {
            return new Choice(firstLoading, Optional.empty());
        }
        IoTransport wanted = valueOf(setting.toUpperCase(Locale.ROOT));
        return unavailability.apply(wanted)
                .map(cause -> new Choice(firstLoading, Optional.of(wanted.settingName() + " unavailable: " + cause)))
                .orElseGet(() -> new Choice(wanted, Optional.empty()));
    }

    /** The transport to run on and, when it is not the one configured, why. */
    record Choice(IoTransport transport, Optional<String> fellBackFrom) {
    }
}
