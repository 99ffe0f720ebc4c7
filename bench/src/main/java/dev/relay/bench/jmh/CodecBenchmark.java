package dev.relay.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.policy.MessageRules;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.protocol.RawJson;
import dev.relay.core.protocol.ServerMessage;
import dev.relay.server.codec.JsonCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The per-message pieces of the hot path, on a typical room message with 100 characters of content: decoding what a
 * client sent, validating it, and encoding what the server sends (once per message, whatever the audience).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    static final String CONTENT = "x".repeat(100);

    private JsonCodec codec;
    private ByteBuf clientFrame;
    private ByteBuf clientFrameWithData;
    private ClientMessage decoded;
    private MessageRules rules;
    private ServerMessage outgoing;
    private ServerMessage outgoingWithData;

    @Setup
    public void setup() {
        codec = new JsonCodec(new ObjectMapper().disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE),
                PooledByteBufAllocator.DEFAULT);
        clientFrame = Unpooled.directBuffer().writeBytes(("{\"type\":\"room_message\",\"room_id\":\"general\",\"content\":\""
                + CONTENT + "\"}").getBytes(StandardCharsets.UTF_8));
        clientFrameWithData = Unpooled.directBuffer().writeBytes(("{\"type\":\"room_message\",\"room_id\":\"general\","
                + "\"content\":\"" + CONTENT + "\",\"data\":{\"emoji\":\"👋\",\"n\":[1,2,3]},\"id\":\"c-17\"}")
                .getBytes(StandardCharsets.UTF_8));
        decoded = codec.decode(clientFrame);
        rules = new MessageRules(1000);
        Instant now = Instant.parse("2024-01-01T00:00:00.123Z");
        outgoing = new ServerMessage("0QYB2C5A1G1A7X00002K", MessageType.ROOM_MESSAGE, "alice", null, "general",
                CONTENT, null, now);
        outgoingWithData = new ServerMessage("0QYB2C5A1G1A7X00002K", MessageType.ROOM_MESSAGE, "alice", null,
                "general", CONTENT, new RawJson("{\"emoji\":\"👋\",\"n\":[1,2,3]}"), now);
    }

    @TearDown
    public void tearDown() {
        clientFrame.release();
        clientFrameWithData.release();
    }

    @Benchmark
    public ClientMessage decodeClientMessage() {
        return codec.decode(clientFrame);
    }

    @Benchmark
    public ClientMessage decodeClientMessageWithData() {
        return codec.decode(clientFrameWithData);
    }

    @Benchmark
    public String validate() {
        rules.checkBody(decoded);
        return rules.requireRoomId(decoded);
    }

    @Benchmark
    public int encodeServerMessage() {
        EncodedFrame frame = codec.encode(outgoing);
        int length = frame.length();
        frame.release();
        return length;
    }

    @Benchmark
    public int encodeServerMessageWithData() {
        EncodedFrame frame = codec.encode(outgoingWithData);
        int length = frame.length();
        frame.release();
        return length;
    }
}
