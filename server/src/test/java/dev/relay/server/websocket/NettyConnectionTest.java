package dev.relay.server.websocket;

import dev.relay.server.codec.WireFrame;
import dev.relay.server.testing.LogCapture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbound bound counts only what a connection has not taken yet: a frame bigger than the whole bound, sent to
 * a connection that reads everything, must not close it (one member's large message once closed a whole room).
 */
class NettyConnectionTest {
    private static final int LIMIT = 4096;

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final AtomicInteger slowConsumers = new AtomicInteger();
    private final NettyConnection connection = new NettyConnection(channel, false, LIMIT, slowConsumers::incrementAndGet,
            TransportEvents.NONE);

    @AfterEach
    void releaseWhatWasWritten() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aFrameLargerThanTheBoundReachesAConnectionWithNothingPending() {
        WireFrame large = frameOf(LIMIT * 3);
        connection.send(large);
        large.release();

        assertThat(slowConsumers).hasValue(0);
        assertThat(channel.isActive()).isTrue();
        ByteBuf written = channel.readOutbound();
        assertThat(written.readableBytes()).isEqualTo(LIMIT * 3 + 4); // a 4-byte header for 126..65535 bytes
        written.release();
    }

    @Test
    void aBacklogOfTheBoundClosesTheConnectionAndTheLogSaysHowMuchWasPending() {
        try (LogCapture log = LogCapture.of(NettyConnection.class)) {
            WireFrame frame = frameOf(LIMIT / 2 - 4); // 2,048 bytes on the wire, a little more as Netty counts
            connection.write(frame);
            assertThat(slowConsumers).as("half the bound pending").hasValue(0);
            connection.write(frame);
            assertThat(slowConsumers).as("the bound pending, nothing more written yet").hasValue(0);
            long pending = channel.unsafe().outboundBuffer().totalPendingWriteBytes(); // with Netty's per-entry cost
            assertThat(pending).isGreaterThanOrEqualTo(LIMIT);
            connection.write(frame); // never flushed: the client took nothing
            frame.release();

            assertThat(slowConsumers).hasValue(1);
            assertThat(log.messages()).anyMatch(line -> line.contains("event=slow_consumer")
                    && line.contains("pending_bytes=" + pending + " ") && line.contains("limit_bytes=" + LIMIT));
        }
        Object last = null;
        for (Object written; (written = channel.readOutbound()) != null; ) {
            if (last != null) {
                io.netty.util.ReferenceCountUtil.release(last);
            }
            last = written;
        }
        assertThat(last).isInstanceOf(CloseWebSocketFrame.class);
        assertThat(((CloseWebSocketFrame) last).statusCode()).isEqualTo(4008);
        ((CloseWebSocketFrame) last).release();
    }

    /** A frame of {@code payloadBytes} bytes, above the copy limit so it is written as it is. */
    private static WireFrame frameOf(int payloadBytes) {
        return WireFrame.binary(UnpooledByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(new byte[payloadBytes]));
    }
}
