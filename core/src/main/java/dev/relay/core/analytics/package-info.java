/**
 * Real-time analytics: who talks where, how much, how fast. {@link dev.relay.core.analytics.AnalyticsRecorder}
 * listens to the event stream (messages, users coming online) on its own thread and to a few cheap observer hooks
 * (connections opened, errors, delivery latency: counters only), and rolls them up per minute, bounded by a cap per
 * minute with an {@value dev.relay.core.analytics.AnalyticsStore#OTHER} bucket. Rollups go to an
 * {@link dev.relay.core.analytics.AnalyticsStore} in batches (in memory here, SQL in {@code store-jdbc}), written as
 * absolute values per node so a repeated batch changes nothing and nodes sharing a store add up;
 * {@link dev.relay.core.analytics.AnalyticsReport} answers windows from the store as JSON-ready values.
 */
package dev.relay.core.analytics;
