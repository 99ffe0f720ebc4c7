package dev.relay.server.cluster;

import dev.relay.core.testing.ExternalService;

import java.util.Map;

/** Every {@link ClusterIT} test with the fan-out over the real NATS (room streams and presence in Redis). */
class NatsClusterIT extends ClusterIT {
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
