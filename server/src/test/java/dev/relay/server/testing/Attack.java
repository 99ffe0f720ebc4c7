package dev.relay.server.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Helpers for bounded attack tests against an in-process {@link TestServer}: the server's Netty direct memory, sampled
 * for its peak while an attack runs, and a socket's bytes read to its end.
 */
public final class Attack {
    private Attack() {
    }

    /** Direct memory Netty's default allocator (the channels' allocator) holds now, in bytes. */
    public static long nettyDirectMemory() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            return provider.metric().usedDirectMemory();
        }
        return PlatformDependent.usedDirectMemory();
    }

    /** Samples {@link #nettyDirectMemory()} every few milliseconds until closed; {@link #peak()} is the highest seen. */
    public static final class PeakMemory implements AutoCloseable {
        private final AtomicLong peak = new AtomicLong(nettyDirectMemory());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread sampler;

        public PeakMemory() {
            sampler = Thread.ofPlatform().daemon().start(() -> {
                while (running.get()) {
                    peak.accumulateAndGet(nettyDirectMemory(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        public long peak() {
            peak.accumulateAndGet(nettyDirectMemory(), Math::max);
            return peak.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            sampler.join();
        }
    }

    /** What reading a socket to its end gave: the bytes, and whether the server ended it (else the read timed out). */
    public record Drained(long bytes, boolean endedByServer) {
    }

    /**
     * Whether the server has ended an HTTP connection, found out without reading from it (which would make the
     * client one that keeps up): writes an empty line, which a server skips between requests, and reports whether
     * the write failed. A socket the server closed fails at once (reset, as it held unread bytes) or at the latest
     * on the write after the one that drew the reset.
     */
    public static boolean endedByServerWithoutReading(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(EMPTY_LINE);
            out.flush();
            return false;
        } catch (IOException closed) {
            return true;
        }
    }

    private static final byte[] EMPTY_LINE = {'\r', '\n'};

    /** Reads until the server ends the connection (end of stream or reset) or nothing comes within the timeout. */
    public static Drained drain(Socket socket, int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) != -1) {
                total += n;
            }
            return new Drained(total, true);
        } catch (SocketTimeoutException stillOpen) {
            return new Drained(total, false);
        } catch (IOException reset) {
            return new Drained(total, true);
        }
    }
}
