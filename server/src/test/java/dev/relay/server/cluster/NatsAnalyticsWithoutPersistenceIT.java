package dev.relay.server.cluster;

import dev.relay.core.testing.ExternalService;

import java.util.Map;

/** {@link AnalyticsWithoutPersistenceIT} with the fan-out over the real NATS (the rollups still in Redis). */
class NatsAnalyticsWithoutPersistenceIT extends AnalyticsWithoutPersistenceIT {
    @Override
    void engineServices() {
        ExternalService.NATS.assumeAvailable();
    }

    @Override
    Map<String, String> engine() {
        return Map.of("engine", "nats", "nats_url",
                "nats://" + ExternalService.NATS.host() + ":" + ExternalService.NATS.port());
    }
}
