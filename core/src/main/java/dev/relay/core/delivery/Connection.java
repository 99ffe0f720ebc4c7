package dev.relay.core.delivery;

import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.protocol.CloseReason;

import java.util.concurrent.Executor;

/**
 * One client connection as the core sees it; the transport implements it. Each connection is owned by one
 * single-threaded executor (for Netty, its event loop): {@link #write} and {@link #flush} are called only there,
 * which is what lets the core keep per-connection state without locks.
 */
public interface Connection {
    /** The single thread that owns this connection. Connections that share it are batched together. */
    Executor executor();

    /**
     * Queues a frame without flushing. Called on {@link #executor()} only. Does not take over the caller's reference.
     * A connection that cannot take more (its outbound buffer is full) drops the frame and closes itself.
     */
    void write(EncodedFrame frame);

    /** Flushes what {@link #write} queued. Called on {@link #executor()} only. */
    void flush();

    /** Writes and flushes one frame; callable from any thread. Does not take over the caller's reference. */
    void send(EncodedFrame frame);

    /** Closes with a WebSocket close code; callable from any thread, idempotent. */
    void close(CloseReason reason);

    /** The client's address as the transport saw it, for logs. */
    String remoteAddress();
}
