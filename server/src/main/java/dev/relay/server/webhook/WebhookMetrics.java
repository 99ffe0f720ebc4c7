package dev.relay.server.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.Supplier;

/**
 * One webhook's counts: {@code relay_webhook_deliveries_total{webhook,outcome}} with outcome {@code delivered},
 * {@code retried} (a try failed, another is scheduled), {@code failed} (the last try failed) and {@code dropped} (too
 * many waiting to be retried, or the server stopped without a spool), and {@code relay_webhook_events_dropped_total}
 * for events that found the webhook's queue full.
 */
final class WebhookMetrics {
    final Counter delivered;
    final Counter retried;
    final Counter failed;
    final Counter dropped;
    final Counter eventsDropped;

    WebhookMetrics(MeterRegistry registry, String webhook, Supplier<Number> queued) {
        delivered = outcome(registry, webhook, "delivered");
        retried = outcome(registry, webhook, "retried");
        failed = outcome(registry, webhook, "failed");
        dropped = outcome(registry, webhook, "dropped");
        eventsDropped = Counter.builder("relay.webhook.events.dropped")
                .description("Events not sent to a webhook because its queue was full").tag("webhook", webhook)
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("relay.webhook.queued", queued)
                .description("Events waiting to be batched for a webhook").tag("webhook", webhook).register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String webhook, String outcome) {
        return Counter.builder("relay.webhook.deliveries")
                .description("Webhook delivery tries, by outcome").tag("webhook", webhook).tag("outcome", outcome)
                .register(registry);
    }
}
