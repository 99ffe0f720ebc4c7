package dev.relay.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The client's frame reader, fed by hand: handshake answer, whole frames and fragmented ones. */
class ClientConnectionTest {
    private final Metrics metrics = new Metrics();
    private final Group group = new Group(null, 2);
    private final ClientConnection connection = new ClientConnection(0, Target.RAW, "127.0.0.1", 9, "/ws", metrics,
            group, -1, null, 40, false);
    private final EmbeddedChannel channel = new EmbeddedChannel(connection);

    private static ByteBuf frame(int firstByte, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuf frame = Unpooled.buffer();
        frame.writeByte(firstByte);
        if (bytes.length < 126) {
            frame.writeByte(bytes.length);
        } else {
            frame.writeByte(126).writeShort(bytes.length);
        }
        return frame.writeBytes(bytes);
    }

    private void open() {
        String request = ((ByteBuf) channel.readOutbound()).toString(StandardCharsets.US_ASCII);
        assertThat(request).startsWith("GET /ws HTTP/1.1\r\n").contains("Sec-WebSocket-Version: 13");
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat(connection.ready).isCompleted();
    }

    @Test
    void countsThePayloadsOfWholeFrames() {
        open();
        channel.writeInbound(Unpooled.wrappedBuffer(frame(0x81, Payload.toString(0, 0, 5, 40)),
                frame(0x81, Payload.toString(1, 0, 5, 40))));
        assertThat(metrics.deliveries.sum()).isEqualTo(2);
        assertThat(metrics.frames.sum()).isEqualTo(2);
        assertThat(connection.tracker().seen(0)).isEqualTo(1);
        assertThat(connection.tracker().seen(1)).isEqualTo(1);
    }

    @Test
    void readsAFrameThatArrivesInPieces() {
        open();
        ByteBuf whole = frame(0x81, Payload.toString(0, 0, 5, 200));
        channel.writeInbound(whole.retainedSlice(0, 3));
        assertThat(metrics.deliveries.sum()).isZero();
        channel.writeInbound(whole.slice(3, whole.readableBytes() - 3));
        assertThat(metrics.deliveries.sum()).isEqualTo(1);
    }

    @Test
    void reassemblesAFragmentedMessageBeforeScanning() {
        open();
        String message = Payload.toString(0, 0, 1, 40) + "\n" + Payload.toString(0, 1, 2, 40) + "\n"
                + Payload.toString(1, 0, 3, 40);
        int cut = 45; // inside the second payload's header
        channel.writeInbound(Unpooled.wrappedBuffer(frame(0x01, message.substring(0, cut)),
                frame(0x89, "ping"), // a control frame may come between fragments
                frame(0x80, message.substring(cut))));
        assertThat(metrics.deliveries.sum()).isEqualTo(3);
        assertThat(metrics.frames.sum()).isEqualTo(1);
        assertThat(connection.tracker().lost(new long[]{2, 1})).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void aRefusedUpgradeFailsTheConnection() {
        channel.readOutbound();
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}",
                StandardCharsets.US_ASCII));
        assertThat(connection.ready).isCompletedExceptionally();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void withDeflateItOffersCompressionAndAnInflatedWelcomeMakesItReady() {
        ClientConnection relay = new ClientConnection(1, Target.RELAY, "127.0.0.1", 9, "/ws/connect", metrics, null,
                -1, null, 40, true);
        EmbeddedChannel relayChannel = new EmbeddedChannel(relay);
        String request = ((ByteBuf) relayChannel.readOutbound()).toString(StandardCharsets.US_ASCII);
        assertThat(request).contains("Sec-WebSocket-Extensions: permessage-deflate");
        relayChannel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
                StandardCharsets.US_ASCII));
        assertThat(relay.ready).isNotDone();

        java.util.zip.Deflater deflater = new java.util.zip.Deflater(6, true);
        deflater.setInput("{\"type\":\"welcome\",\"data\":{}}".getBytes(StandardCharsets.US_ASCII));
        byte[] out = new byte[256];
        int length = deflater.deflate(out, 0, out.length, java.util.zip.Deflater.SYNC_FLUSH) - 4; // without 00 00 ff ff
        deflater.end();
        relayChannel.writeInbound(Unpooled.buffer().writeByte(0x80 | 0x40 | 0x1).writeByte(length)
                .writeBytes(out, 0, length));
        assertThat(relay.ready).isCompleted();
        relayChannel.finishAndReleaseAll();
    }
}
