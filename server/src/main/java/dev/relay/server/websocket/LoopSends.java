package dev.relay.server.websocket;

import dev.relay.core.codec.EncodedFrame;
import io.netty.channel.EventLoop;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * A connection's direct send (a reply, an error, a welcome) from any thread: written at once when the caller is on
 * the connection's event loop, else handed to it with the frame retained until then. One place for every protocol's
 * connection, so none of them leaks a frame when the loop refuses the task because the server is stopping.
 */
public final class LoopSends {
    private LoopSends() {
    }

    /** Runs {@code send} with {@code frame} on {@code loop}; the frame is not released here (the caller owns it). */
    public static void send(EventLoop loop, EncodedFrame frame, Consumer<EncodedFrame> send) {
        if (loop.inEventLoop()) {
            send.accept(frame);
            return;
        }
        frame.retain();
        try {
            loop.execute(() -> {
                try {
                    send.accept(frame);
                } finally {
                    frame.release();
                }
            });
        } catch (RejectedExecutionException stopping) {
            frame.release(); // the loop is shutting down and the connection with it
        }
    }
}
