package dev.relay.server.observe;

import java.time.Duration;

/**
 * The server's state at one moment, as the statistics line and the alerts read it. Counters are totals since
 * start; readers take differences between two samples.
 *
 * @param messagesIn  client messages received (text and binary)
 * @param messagesOut frames written by the fan-out (one per message per recipient)
 * @param handled     client messages and REST calls
 * @param failed      client messages answered with an error frame and REST calls answered with 5xx
 * @param latencyP50  delivery latency, median over about the last minute; null when not measured
 * @param latencyP99  delivery latency, 99th percentile; null when not measured
 * @param heapMax     bytes; -1 when the JVM has no limit
 */
record Sample(int connections, int maxConnections, int users, int rooms, long messagesIn, long messagesOut,
              long handled, long failed, Duration latencyP50, Duration latencyP99, long heapUsed, long heapMax) {
}
