package dev.relay.spring;

import dev.relay.server.WebSocketService;
import dev.relay.server.observe.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

import java.util.Set;

/**
 * Relay's readiness (what its {@code /health/ready} answers) as the actuator health component {@code relay}: UP while
 * ready; OUT_OF_SERVICE while it only cannot take more (starting, shutting down, at max_connections); DOWN when
 * something it needs has failed (the message store, the cluster engine), with Relay's reasons either way.
 */
final class RelayHealthIndicator implements HealthIndicator {
    private static final Set<String> NOT_FAILURES = Set.of(Health.STARTING, Health.SHUTTING_DOWN,
            Health.CONNECTION_LIMIT);

    private final WebSocketService service;

    RelayHealthIndicator(WebSocketService service) {
        this.service = service;
    }

    @Override
    public org.springframework.boot.health.contributor.Health health() {
        Health.Readiness readiness = service.observability().health().readiness();
        Status status = readiness.ready() ? Status.UP
                : NOT_FAILURES.containsAll(readiness.reasons()) ? Status.OUT_OF_SERVICE : Status.DOWN;
        return org.springframework.boot.health.contributor.Health.status(status)
                .withDetail("reasons", readiness.reasons())
                .withDetail("connections", service.hub().queries().connections())
                .build();
    }
}
