package dev.relay.server.cluster;

import dev.relay.core.testing.ExternalService;

import java.util.Map;

/** Every {@link ClusterEventsIT} test with the fan-out over the real NATS (presence decided in Redis). */
class NatsClusterEventsIT extends ClusterEventsIT {
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
