package dev.relay.bench.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** Counters and latency recorders shared by every connection of a run; written from any event loop. */
public final class Metrics {
    private final long epochNanos = System.nanoTime();

    /** Payloads received, on every connection (a message to 500 subscribers is 500 deliveries). */
    public final LongAdder deliveries = new LongAdder();
    /** WebSocket data frames that carried at least one payload; fewer than deliveries when a server coalesces. */
    public final LongAdder frames = new LongAdder();
    /** Messages published. */
    public final LongAdder published = new LongAdder();
    /** Error frames the server answered with (Relay: overloaded, rate_limited...). */
    public final LongAdder errors = new LongAdder();
    /** Connections the server closed (or lost) while the run still wanted them. */
    public final LongAdder dropped = new LongAdder();
    /**
     * End-to-end latency of each delivery in nanoseconds, from the planned send time (for a paced publisher: the
     * moment the message was due, so a late generator shows up too): one plain histogram per event loop, recorded
     * without atomics and handed over by a task on that loop.
     */
    private final Map<Executor, Histogram> latency = new ConcurrentHashMap<>();
    /** The same from the moment the message was actually written: what the server and the network add. */
    private final Map<Executor, Histogram> sentLatency = new ConcurrentHashMap<>();
    /** Handshake latency: connect to ready (Relay: welcome received), in nanoseconds. */
    public final Recorder handshakes = new Recorder(3);
    /** How late a paced publisher sent each message after its planned time, in nanoseconds. */
    public final Recorder sendLag = new Recorder(3);

    /** The latency histogram of one event loop; call on that loop and record only there. */
    Histogram latencyOf(Executor loop) {
        return latency.computeIfAbsent(loop, l -> new Histogram(3));
    }

    Histogram sentLatencyOf(Executor loop) {
        return sentLatency.computeIfAbsent(loop, l -> new Histogram(3));
    }

    /** Every loop's latencies since the last call, merged; the loops' histograms start again empty. */
    public Histogram takeLatency() throws Exception {
        return take(latency);
    }

    /** Like {@link #takeLatency()}, measured from the actual send. */
    public Histogram takeSentLatency() throws Exception {
        return take(sentLatency);
    }

    private static Histogram take(Map<Executor, Histogram> histograms) throws Exception {
        Histogram total = new Histogram(3);
        for (Map.Entry<Executor, Histogram> entry : histograms.entrySet()) {
            Histogram own = entry.getValue();
            Histogram copy = ((ExecutorService) entry.getKey()).submit(() -> {
                Histogram taken = own.copy();
                own.reset();
                return taken;
            }).get(10, TimeUnit.SECONDS);
            total.add(copy);
        }
        return total;
    }

    /** Nanoseconds since the run began; what payloads carry as their send time (never negative). */
    public long now() {
        return System.nanoTime() - epochNanos;
    }
}
