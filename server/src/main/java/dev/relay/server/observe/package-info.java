/**
 * Observability and operations: Prometheus metrics, health, the PERFORMANCE statistics line, alerts with their
 * webhook, per-user activity and the audit log. Fed by the core's {@code HubObserver} and the transport's events;
 * nothing here runs blocking work on an event loop.
 */
package dev.relay.server.observe;
