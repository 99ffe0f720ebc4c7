package dev.relay.server.observe;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The seed's statistics line: every statistics_interval, one INFO line tagged {@code PERFORMANCE} with key=value
 * fields, so {@code grep PERFORMANCE logs/websocket.log} is a time series. Rates are per second over the time since
 * the previous line, measured on the injected clock.
 */
final class Statistics {
    static final String TAG = "PERFORMANCE";
    private static final Logger LOG = LoggerFactory.getLogger(Statistics.class);
    private static final long MIB = 1024 * 1024;

    private final Supplier<Sample> sampler;
    private final Clock clock;
    private Sample previous;
    private Instant previousAt;

    Statistics(Supplier<Sample> sampler, Clock clock) {
        this.sampler = sampler;
        this.clock = clock;
        this.previous = sampler.get();
        this.previousAt = clock.instant();
    }

    /** Takes a sample and logs the line; returns it (for tests). Runs on the operations thread. */
    String report() {
        Sample now = sampler.get();
        Instant at = clock.instant();
        double seconds = Math.max(Duration.between(previousAt, at).toNanos() / 1e9, 1e-9);
        String line = String.format(Locale.ROOT,
                "%s connections=%d users=%d rooms=%d messages_in_per_s=%.2f messages_out_per_s=%.2f"
                        + " latency_p50_ms=%s latency_p99_ms=%s heap_used_mb=%d heap_max_mb=%s",
                TAG, now.connections(), now.users(), now.rooms(),
                (now.messagesIn() - previous.messagesIn()) / seconds,
                (now.messagesOut() - previous.messagesOut()) / seconds,
                millis(now.latencyP50()), millis(now.latencyP99()), now.heapUsed() / MIB,
                now.heapMax() < 0 ? "-" : Long.toString(now.heapMax() / MIB));
        previous = now;
        previousAt = at;
        LOG.info(line);
        return line;
    }

    private static String millis(Duration latency) {
        return latency == null ? "-" : String.format(Locale.ROOT, "%.3f", latency.toNanos() / 1e6);
    }
}
