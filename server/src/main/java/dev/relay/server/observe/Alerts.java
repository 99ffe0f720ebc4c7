package dev.relay.server.observe;

import dev.relay.server.config.AlertConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Checks the alert thresholds against a {@link Sample} and reports each alert that starts or stops firing: an
 * {@code ALERT} line (WARN when firing, INFO when cleared) and a change handed to {@code onChange} (the webhook).
 * An alert fires while its value is above the threshold and clears when it is at or below. Runs on one thread.
 */
final class Alerts {
    static final String TAG = "ALERT";
    static final String CONNECTIONS = "connections";
    static final String LATENCY_P99 = "latency_p99";
    static final String ERROR_RATE = "error_rate";
    static final String HEAP = "heap";
    /** Fewer calls than this in an interval say nothing about an error rate; such an interval counts as healthy. */
    static final long MIN_CALLS_FOR_ERROR_RATE = 20;
    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);

    /** Thresholds; a configuration reload replaces them between two checks. */
    private volatile AlertConfig config;
    private final Supplier<Sample> sampler;
    private final Clock clock;
    private final Consumer<AlertChange> onChange;
    private final Set<String> firing = new HashSet<>();
    private Sample previous;

    void replaceThresholds(AlertConfig thresholds) {
        this.config = thresholds;
    }

    Alerts(AlertConfig config, Supplier<Sample> sampler, Clock clock, Consumer<AlertChange> onChange) {
        this.config = config;
        this.sampler = sampler;
        this.clock = clock;
        this.onChange = onChange;
        this.previous = sampler.get();
    }

    /** Takes a sample and compares each measure with its threshold. */
    void check() {
        AlertConfig thresholds = config; // one set for the whole check
        Sample now = sampler.get();
        evaluate(CONNECTIONS, (double) now.connections() / now.maxConnections(), thresholds.connectionsRatio(),
                now.connections() + " of " + now.maxConnections() + " connections");
        if (now.latencyP99() != null) {
            double p99 = now.latencyP99().toNanos() / 1e6;
            evaluate(LATENCY_P99, p99, thresholds.latencyP99().toNanos() / 1e6,
                    String.format(Locale.ROOT, "delivery latency p99 %.1f ms", p99));
        }
        long calls = now.handled() - previous.handled();
        long failures = now.failed() - previous.failed();
        double errorRate = calls < MIN_CALLS_FOR_ERROR_RATE ? 0 : (double) failures / calls;
        evaluate(ERROR_RATE, errorRate, thresholds.errorRate(), failures + " of " + calls + " calls failed");
        if (now.heapMax() > 0) {
            evaluate(HEAP, (double) now.heapUsed() / now.heapMax(), thresholds.heapRatio(),
                    now.heapUsed() / (1024 * 1024) + " of " + now.heapMax() / (1024 * 1024) + " MiB of heap used");
        }
        previous = now;
    }

    boolean isFiring(String alert) {
        return firing.contains(alert);
    }

    private void evaluate(String alert, double value, double threshold, String detail) {
        boolean over = value > threshold;
        if (over == firing.contains(alert)) {
            return;
        }
        if (over) {
            firing.add(alert);
        } else {
            firing.remove(alert);
        }
        AlertChange change = new AlertChange(alert, over, value, threshold, detail, clock.instant());
        String line = String.format(Locale.ROOT, "%s %s alert=%s value=%.3f threshold=%.3f detail=\"%s\"",
                TAG, change.status(), alert, value, threshold, detail);
        if (over) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
        onChange.accept(change);
    }
}
