package dev.relay.server.observe;

import dev.relay.server.config.AlertConfig;
import dev.relay.core.Hub;
import dev.relay.core.HubQueries;
import dev.relay.core.event.EventStream;
import dev.relay.core.observe.HubObserver;
import dev.relay.server.config.ObservabilityConfig;
import dev.relay.server.config.RelayConfig;
import dev.relay.server.http.RequestEvents;
import dev.relay.core.protocol.Timestamps;
import dev.relay.server.websocket.TransportEvents;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Everything an operator sees, wired together: metrics, health, activity and audit, the statistics line and the
 * alerts. The statistics, the alerts and every /metrics scrape run on one operations thread of its own, never on
 * an event loop. Create it before the {@link Hub} (which reports to {@link #hubObserver()}), then {@link #bind}.
 */
public final class Observability implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);
    private static final Duration WEBHOOK_RETRY_BACKOFF = Duration.ofSeconds(1);

    private final RelayConfig config;
    private final ObservabilityConfig settings;
    private final Clock clock;
    private final Metrics metrics;
    private final AuditWriter audit;
    private final ActivityLog activity;
    private final ObservingEvents events;
    private final Health health;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final ScheduledExecutorService operations;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private volatile HubQueries hub;
    /** The latest alert changes, newest first, for the dashboard; bounded. */
    private final Deque<AlertChange> recentAlerts = new ArrayDeque<>();
    /** Set once serving with alerts on; read by a reload. */
    private volatile Alerts alerts;
    private static final int RECENT_ALERTS = 20;

    private Observability(RelayConfig config, Clock clock) {
        this.config = config;
        this.settings = config.observability();
        this.clock = clock;
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        this.metrics = new Metrics(registry, settings.enablePerformanceMetrics());
        this.audit = new AuditWriter(config.server().logDir(), settings.logs().maxFileSize(),
                settings.logs().retentionDays(), settings.logs().auditTotalSizeCap(), clock);
        this.activity = new ActivityLog(audit, clock);
        this.events = new ObservingEvents(metrics, activity);
        this.health = new Health(() -> {
            HubQueries current = hub;
            return current != null && current.connections() >= config.server().maxConnections();
        });
        // For dashboards and alert rules, which see metrics but not /health/ready's answer.
        Gauge.builder("relay.ready", health, h -> h.readiness().ready() ? 1 : 0)
                .description("1 while /health/ready answers ready, else 0 (its reasons say why)").register(registry);
        Gauge.builder("relay.audit.dropped", audit, AuditWriter::dropped)
                .description("Audit lines dropped because the writer could not keep up").register(registry);
        this.operations = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "relay-ops");
            thread.setDaemon(true);
            return thread;
        });
    }

    public static Observability create(RelayConfig config, Clock clock) {
        return new Observability(config, clock);
    }

    /**
     * Binds Relay's {@code relay.*} meters into another registry (a host application's Micrometer registry) as live
     * views of them; Relay's own {@code /metrics} is unchanged. See {@link MeterMirror}.
     */
    public MeterBinder meterBinder() {
        return new MeterMirror(metrics.registry());
    }

    public HubObserver hubObserver() {
        return events;
    }

    public TransportEvents transportEvents() {
        return events;
    }

    public RequestEvents requestEvents() {
        return events;
    }

    public Health health() {
        return health;
    }

    public ActivityLog activity() {
        return activity;
    }

    /** Where slow observability work (a scrape) runs instead of an event loop. */
    public Executor executor() {
        return operations;
    }

    /** The metrics in Prometheus' text format. Call on {@link #executor()}. */
    /** The registry behind /metrics, for features that count their own (webhooks, proxies). */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return metrics.registry();
    }

    public String scrape() {
        return metrics.registry().scrape();
    }

    /** Reads the hub's gauges from now on. */
    public void bind(HubQueries hub) {
        this.hub = hub;
        metrics.bindHub(hub);
    }

    /** Counts what each event listener handled, dropped and failed on ({@code relay_events_*{listener=...}}). */
    /** The assistant's answers, refusals, upstream errors and answers in progress. */
    public void bindAssistant(dev.relay.server.assistant.AssistantStats stats) {
        metrics.bindAssistant(stats);
    }

    public void bindEvents(EventStream stream) {
        metrics.bindEvents(stream);
    }

    /** A gauge of pending tasks per event loop: a loop that falls behind shows here first. */
    public void bindEventLoops(Iterable<EventExecutor> loops) {
        int index = 0;
        for (EventExecutor loop : loops) {
            if (loop instanceof SingleThreadEventExecutor single) {
                Gauge.builder("relay.event.loop.pending.tasks", single, SingleThreadEventExecutor::pendingTasks)
                        .description("Tasks waiting on each event loop").tag("loop", Integer.toString(index++))
                        .register(metrics.registry());
            }
        }
    }

    /**
     * New alert thresholds (a configuration reload), from the next check on. The check interval and the webhook
     * stay as they started; with alerts off there is nothing to change.
     */
    public void replaceAlertThresholds(AlertConfig thresholds) {
        Alerts running = alerts;
        if (running != null) {
            running.replaceThresholds(thresholds);
        }
    }

    /** The server is accepting connections: readiness passes, statistics and alerts start. */
    public void serving() {
        health.serving();
        if (settings.enableStatistics()) {
            Statistics statistics = new Statistics(this::sample, clock);
            schedule(statistics::report, settings.statisticsInterval());
        }
        if (settings.enableAlerts()) {
            AlertWebhook webhook = settings.alerts().webhookUrl().map(url -> new AlertWebhook(url,
                    settings.alerts().webhookCooldown(), WEBHOOK_RETRY_BACKOFF, clock)).orElse(null);
            Alerts alerts = new Alerts(settings.alerts(), this::sample, clock, change -> {
                remember(change);
                if (webhook != null) {
                    webhook.accept(change);
                }
            });
            if (webhook != null) {
                closeables.add(webhook);
            }
            this.alerts = alerts;
            schedule(() -> {
                alerts.check();
                if (webhook != null) {
                    webhook.tick();
                }
            }, settings.alerts().checkInterval());
        }
    }

    private void remember(AlertChange change) {
        synchronized (recentAlerts) {
            recentAlerts.addFirst(change);
            if (recentAlerts.size() > RECENT_ALERTS) {
                recentAlerts.removeLast();
            }
        }
    }

    /** Whether alerts are checked, and the latest alert changes (newest first) as JSON-ready values. */
    public Map<String, Object> recentAlerts() {
        List<Map<String, Object>> alerts = new ArrayList<>();
        synchronized (recentAlerts) {
            for (AlertChange change : recentAlerts) {
                Map<String, Object> alert = new LinkedHashMap<>();
                alert.put("alert", change.alert());
                alert.put("status", change.status());
                alert.put("value", change.value());
                alert.put("threshold", change.threshold());
                alert.put("detail", change.detail());
                alert.put("timestamp", Timestamps.format(change.at()));
                alerts.add(alert);
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("enabled", settings.enableAlerts());
        data.put("alerts", alerts);
        return data;
    }

    /** The server is shutting down: readiness fails from now on. */
    public void stopping() {
        health.stopping();
    }

    private void schedule(Runnable task, Duration every) {
        operations.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // A failed report must not cancel the schedule.
                LOG.error("event=observability_error", e);
            }
        }, every.toNanos(), every.toNanos(), TimeUnit.NANOSECONDS);
    }

    Sample sample() {
        HubQueries current = hub;
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new Sample(current == null ? 0 : current.connections(), config.server().maxConnections(),
                current == null ? 0 : current.onlineUsers(), current == null ? 0 : current.roomInfos().size(),
                metrics.messagesIn(), metrics.messagesOut(), metrics.handled(), metrics.failed(),
                metrics.latencyPercentile(0.5), metrics.latencyPercentile(0.99), heap.getUsed(), heap.getMax());
    }

    @Override
    public void close() {
        operations.shutdownNow();
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("event=observability_close_failed", e);
            }
        }
        audit.close();
        gcMetrics.close();
        metrics.registry().close();
    }
}
