package dev.relay.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.relay.core.Hub;
import dev.relay.core.HubSettings;
import dev.relay.core.codec.EncodedFrame;
import dev.relay.core.delivery.Connection;
import dev.relay.core.identity.Identity;
import dev.relay.core.protocol.ClientMessage;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.session.Session;
import dev.relay.server.codec.JsonCodec;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A room message through the whole core, from {@code Hub.onMessage} to every member's write and flush: rate limit
 * (off), validation, id and timestamp, encoding once, queueing on the lane, and the lane's batch over the members.
 * Members are in-memory connections on one single-threaded executor that this thread drains, so the figure is the
 * core's own cost per message; divide by the members for the cost per delivery (the socket write is not in it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FanoutBenchmark {
    @Param({"1000", "10000"})
    int members;

    private final ManualLoop loop = new ManualLoop();
    private Session publisher;
    private Hub hub;
    private ClientMessage message;
    private long writes;

    @Setup
    public void setup() {
        JsonCodec codec = new JsonCodec(new ObjectMapper().disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE),
                PooledByteBufAllocator.DEFAULT);
        HubSettings settings = new HubSettings(1000, 0, 100, List.of("general"), false, true, true,
                HubSettings.DEFAULT_LANE_QUEUE_LIMIT);
        hub = Hub.builder(settings, codec, Clock.systemUTC(), System::nanoTime).build();
        for (int i = 0; i < members; i++) {
            Session session = hub.connect(new Identity("user-" + i, "User " + i, Set.of()), new MemoryConnection(),
                    "general");
            if (i == 0) {
                publisher = session;
            }
        }
        loop.runAll();
        message = new ClientMessage(MessageType.ROOM_MESSAGE, null, CodecBenchmark.CONTENT, "general", null, null);
    }

    @Benchmark
    public long roomMessageToAllMembers() {
        hub.onMessage(publisher, message);
        loop.runAll();
        return writes;
    }

    /** An event loop stand-in: tasks queue up and the benchmark thread runs them. */
    static final class ManualLoop implements Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
        }
    }

    /** A connection that only counts; what a socket write costs is the transport's share, measured by the load runs. */
    final class MemoryConnection implements Connection {
        private long flushes;

        @Override
        public Executor executor() {
            return loop;
        }

        @Override
        public void write(EncodedFrame frame) {
            writes += frame.length();
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void send(EncodedFrame frame) {
            writes += frame.length();
        }

        @Override
        public void close(CloseReason reason) {
        }

        @Override
        public String remoteAddress() {
            return "memory";
        }
    }
}
