package dev.relay.server.observe;

import java.time.Instant;

/**
 * An alert that started or stopped firing.
 *
 * @param alert     {@code connections}, {@code latency_p99}, {@code error_rate} or {@code heap}
 * @param value     what was measured: a ratio, or milliseconds for {@code latency_p99}
 * @param threshold the configured limit, in the same unit
 * @param detail    the measurement in words, e.g. {@code 9300 of 10000 connections}
 */
record AlertChange(String alert, boolean firing, double value, double threshold, String detail, Instant at) {
    String status() {
        return firing ? "firing" : "cleared";
    }
}
