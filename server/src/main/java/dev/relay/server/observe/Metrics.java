package dev.relay.server.observe;

import dev.relay.core.Hub;
import dev.relay.core.HubQueries;
import dev.relay.core.protocol.CloseReason;
import dev.relay.core.protocol.ErrorCode;
import dev.relay.core.protocol.MessageType;
import dev.relay.core.event.EventStream;
import dev.relay.core.event.ListenerStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Relay's own meters, named the Prometheus way ({@code relay_} prefix, {@code _total}, {@code _seconds},
 * {@code _bytes}); docs/operations.md lists them. Every tag has a closed set of values, so no client can grow the
 * number of series. Counters are created up front, so the message path does a map lookup at most.
 */
final class Metrics {
    /** Delivery latency buckets: sub-millisecond when idle up to seconds when a loop is saturated. */
    private static final Duration[] LATENCY_BUCKETS = Stream.of(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0,
            100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0).map(ms -> Duration.ofNanos((long) (ms * 1_000_000)))
            .toArray(Duration[]::new);
    private static final List<String> RECEIVED_TYPES = List.of(MessageType.ROOM_MESSAGE,
            MessageType.PRIVATE_MESSAGE, MessageType.BROADCAST, MessageType.JOIN_ROOM, MessageType.LEAVE_ROOM,
            MessageType.PING, "rpc", Hub.BINARY, "unknown", "invalid");
    private static final List<String> DELIVERED_TYPES = List.of(MessageType.ROOM_MESSAGE,
            MessageType.PRIVATE_MESSAGE, MessageType.BROADCAST, Hub.BINARY);
    /** Close codes with a series of their own; any other is counted as {@code other}. */
    private static final Set<Integer> KNOWN_CLOSE_CODES = Set.of(1000, 1001, 1002, 1003, 1005,
            1006, 1007, 1008, 1009, 1011, 4000, 4008, 4403, 4404);
    static final List<String> REFUSAL_REASONS = List.of("auth", "origin", "ip", "limit", "room",
            "upgrade", "other");

    private final PrometheusMeterRegistry registry;
    private final Counter opened;
    private final Map<String, Counter> closed = new ConcurrentHashMap<>();
    private final Map<String, Counter> handshakeRefusals;
    private final Map<String, Counter> received;
    private final Map<String, Counter> delivered;
    private final Map<ErrorCode, Counter> refused = new EnumMap<>(ErrorCode.class);
    private final Counter rateLimited;
    private final Counter filteredMasked;
    private final Counter filteredRejected;
    private final Counter slowConsumers;
    private final Counter fanout;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Timer latency;
    /** For the PERFORMANCE line and the error-rate alert: failed and all client messages and REST calls. */
    private final LongAdder handled = new LongAdder();
    private final LongAdder failed = new LongAdder();

    Metrics(PrometheusMeterRegistry registry, boolean measureLatency) {
        this.registry = registry;
        opened = Counter.builder("relay.connections.opened").description("WebSocket connections opened")
                .register(registry);
        handshakeRefusals = counters(REFUSAL_REASONS, reason -> Counter.builder("relay.handshakes.refused")
                .description("Upgrade requests refused before the handshake, by reason").tag("reason", reason)
                .register(registry));
        received = counters(RECEIVED_TYPES, type -> Counter.builder("relay.messages.received")
                .description("Messages received from clients, by type (binary frames as binary)").tag("type", type)
                .register(registry));
        delivered = counters(DELIVERED_TYPES, type -> Counter.builder("relay.messages.delivered")
                .description("Messages accepted and handed to delivery, once each however many recipients, by type")
                .tag("type", type).register(registry));
        for (ErrorCode code : ErrorCode.values()) {
            refused.put(code, Counter.builder("relay.messages.refused")
                    .description("Client messages answered with an error frame, by error code")
                    .tag("reason", code.code()).register(registry));
        }
        rateLimited = Counter.builder("relay.messages.rate.limited")
                .description("Client messages dropped by the rate limit").register(registry);
        filteredMasked = Counter.builder("relay.messages.filtered")
                .description("Client messages the content filter matched, by action").tag("action", "masked")
                .register(registry);
        filteredRejected = Counter.builder("relay.messages.filtered")
                .description("Client messages the content filter matched, by action").tag("action", "rejected")
                .register(registry);
        slowConsumers = Counter.builder("relay.slow.consumers")
                .description("Connections closed because they did not read fast enough (4008)").register(registry);
        fanout = Counter.builder("relay.fanout.deliveries")
                .description("Frames written to connections by the fan-out: one per message per recipient")
                .register(registry);
        bytesIn = Counter.builder("relay.received").baseUnit(BaseUnits.BYTES)
                .description("Payload bytes of WebSocket messages received").register(registry);
        bytesOut = Counter.builder("relay.sent").baseUnit(BaseUnits.BYTES)
                .description("Payload bytes of WebSocket frames written, before compression").register(registry);
        latency = measureLatency ? Timer.builder("relay.delivery.latency")
                .description("From a message's acceptance to the flush of its frame, per message and event loop")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .publishPercentiles(0.5, 0.99)
                .percentilePrecision(2)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry) : null;
    }

    private static Map<String, Counter> counters(List<String> keys, Function<String, Counter> create) {
        return keys.stream().collect(Collectors.toUnmodifiableMap(Function.identity(), create));
    }

    /** Gauges read from the hub when scraped. */
    void bindHub(HubQueries hub) {
        Gauge.builder("relay.connections", hub, HubQueries::connections).description("Open WebSocket connections")
                .register(registry);
        Gauge.builder("relay.users.online", hub, HubQueries::onlineUsers).description("Users with a live connection")
                .register(registry);
        Gauge.builder("relay.rooms", hub, h -> h.roomInfos().size()).description("Rooms").register(registry);
        Gauge.builder("relay.delivery.queued", hub, HubQueries::queuedDeliveries)
                .description("Deliveries waiting on the event loops; past 65536 on one loop, messages are refused")
                .register(registry);
        Gauge.builder("relay.offline.held", hub, h -> h.offlineStats().held())
                .description("Private messages held in memory for users with no live connection").register(registry);
        Gauge.builder("relay.offline.held.bytes", hub, h -> h.offlineStats().heldBytes()).baseUnit(BaseUnits.BYTES)
                .description("Estimated size of the private messages held in memory for offline users")
                .register(registry);
        FunctionCounter.builder("relay.offline.dropped", hub, h -> h.offlineStats().dropped())
                .description("Held private messages dropped, oldest first, over offline_max_messages or the total"
                        + " bounds (offline_max_total_messages, offline_max_total_bytes)").register(registry);
        FunctionCounter.builder("relay.offline.expired", hub, h -> h.offlineStats().expired())
                .description("Held private messages dropped for being older than offline_ttl").register(registry);
    }

    /**
     * Each event listener's counts, tagged {@code listener}. Read from the stream at each scrape: the drains count
     * with their own atomics, and nothing is added to the event path for metrics.
     */
    void bindEvents(EventStream stream) {
        List<ListenerStats> listeners = stream.stats();
        for (int i = 0; i < listeners.size(); i++) {
            int index = i;
            String name = listeners.get(i).listener();
            FunctionCounter.builder("relay.events.delivered", stream, s -> s.stats().get(index).delivered())
                    .description("Events an event listener handled").tag("listener", name).register(registry);
            FunctionCounter.builder("relay.events.dropped", stream, s -> s.stats().get(index).dropped())
                    .description("Events dropped because the listener's queue was full")
                    .tag("listener", name).register(registry);
            FunctionCounter.builder("relay.events.failed", stream, s -> s.stats().get(index).failed())
                    .description("Events the listener threw on").tag("listener", name).register(registry);
            Gauge.builder("relay.events.queued", stream, s -> s.stats().get(index).queued())
                    .description("Events waiting for the listener").tag("listener", name).register(registry);
        }
    }

    /** Read from the assistant's own counters at each scrape. */
    void bindAssistant(dev.relay.server.assistant.AssistantStats stats) {
        for (String outcome : dev.relay.server.assistant.AssistantStats.OUTCOMES) {
            FunctionCounter.builder("relay.assistant.answers", stats, s -> s.answers(outcome))
                    .description("Assistant answers by how they ended: done, error, cancelled")
                    .tag("outcome", outcome).register(registry);
        }
        for (String reason : dev.relay.server.assistant.AssistantStats.REFUSALS) {
            FunctionCounter.builder("relay.assistant.refused", stats, s -> s.refused(reason))
                    .description("Questions the assistant did not take: rate_limited, busy, unavailable")
                    .tag("reason", reason).register(registry);
        }
        FunctionCounter.builder("relay.assistant.upstream.errors", stats,
                        dev.relay.server.assistant.AssistantStats::upstreamErrors)
                .description("Answers ended by the model server: 4xx/5xx, timeouts, broken streams, unreachable")
                .register(registry);
        Gauge.builder("relay.assistant.active", stats, dev.relay.server.assistant.AssistantStats::active)
                .description("Answers being generated now").register(registry);
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    boolean measuresLatency() {
        return latency != null;
    }

    void connectionOpened() {
        opened.increment();
    }

    void connectionClosed(int code) {
        String tag = KNOWN_CLOSE_CODES.contains(code) ? Integer.toString(code) : "other";
        closed.computeIfAbsent(tag, t -> Counter.builder("relay.connections.closed")
                .description("WebSocket connections closed, by close code (1006: dropped without a close frame)")
                .tag("code", t).register(registry)).increment();
        if (code == CloseReason.SLOW_CONSUMER.code()) {
            slowConsumers.increment();
        }
    }

    void handshakeRefused(String reason) {
        handshakeRefusals.getOrDefault(reason, handshakeRefusals.get("other")).increment();
    }

    /** @param type a client message's type as sent (null when it had none), {@code binary} or {@code invalid} */
    void received(String type, int bytes) {
        Counter counter = type == null ? null : received.get(type);
        (counter != null ? counter : received.get("unknown")).increment();
        bytesIn.increment(bytes);
        handled.increment();
    }

    void sent(long bytes) {
        bytesOut.increment(bytes);
    }

    void delivered(String type) {
        Counter counter = delivered.get(type);
        if (counter != null) {
            counter.increment();
        }
    }

    void filtered(boolean rejected) {
        (rejected ? filteredRejected : filteredMasked).increment();
    }

    void refused(ErrorCode code) {
        refused.get(code).increment();
        if (code == ErrorCode.RATE_LIMITED) {
            rateLimited.increment();
        }
        failed.increment();
    }

    void fannedOut(int writes) {
        fanout.increment(writes);
    }

    void latency(long nanos) {
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A REST call answered; 5xx answers count as failures for the error-rate alert. Tags stay bounded: routes come
     * from the route table (or {@code unmatched}) and methods outside the usual ones are folded into {@code other}.
     */
    void restCall(String method, String route, int status, long nanos) {
        String verb = switch (method) {
            case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS" -> method;
            default -> "other";
        };
        Timer.builder("relay.http.requests").description("REST requests answered, by method, route and status")
                .tag("method", verb).tag("route", route).tag("status", Integer.toString(status))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
        handled.increment();
        if (status >= 500) {
            failed.increment();
        }
    }

    long messagesIn() {
        return (long) received.values().stream().mapToDouble(Counter::count).sum();
    }

    long messagesOut() {
        return (long) fanout.count();
    }

    long handled() {
        return handled.sum();
    }

    long failed() {
        return failed.sum();
    }

    /** The latency at a percentile (0.5 or 0.99) over about the last minute, or null when latency is not measured. */
    Duration latencyPercentile(double percentile) {
        if (latency == null) {
            return null;
        }
        for (ValueAtPercentile value : latency.takeSnapshot().percentileValues()) {
            if (value.percentile() == percentile) {
                return Duration.ofNanos((long) value.value(TimeUnit.NANOSECONDS));
            }
        }
        return null;
    }
}
