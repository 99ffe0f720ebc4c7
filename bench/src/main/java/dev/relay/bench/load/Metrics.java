package dev.relay.bench.load;

import org.HdrHistogram.Recorder;

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
    /** End-to-end latency of each delivery, send to receive, in nanoseconds. */
    public final Recorder latency = new Recorder(3);
    /** Handshake latency: connect to ready (Relay: welcome received), in nanoseconds. */
    public final Recorder handshakes = new Recorder(3);
    /** How late a paced publisher sent each message after its planned time, in nanoseconds. */
    public final Recorder sendLag = new Recorder(3);

    /** Nanoseconds since the run began; what payloads carry as their send time (never negative). */
    public long now() {
        return System.nanoTime() - epochNanos;
    }
}
