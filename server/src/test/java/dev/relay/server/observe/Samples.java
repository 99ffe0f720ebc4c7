package dev.relay.server.observe;

import java.time.Duration;
import java.util.function.Supplier;

/** A sampler a test sets by hand, field by field, starting from an idle server. */
final class Samples implements Supplier<Sample> {
    int connections;
    int maxConnections = 100;
    int users;
    int rooms = 3;
    long messagesIn;
    long messagesOut;
    long handled;
    long failed;
    Duration latencyP50 = Duration.ZERO;
    Duration latencyP99 = Duration.ZERO;
    long heapUsed = 10L * 1024 * 1024;
    long heapMax = 100L * 1024 * 1024;

    @Override
    public Sample get() {
        return new Sample(connections, maxConnections, users, rooms, messagesIn, messagesOut, handled, failed,
                latencyP50, latencyP99, heapUsed, heapMax);
    }
}
