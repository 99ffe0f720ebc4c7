package dev.relay.server.assistant;

import dev.relay.core.testing.ExternalService;

import java.util.Map;

/** Every {@link AssistantClusterIT} test with the fan-out over the real NATS (streams and presence in Redis). */
class NatsAssistantClusterIT extends AssistantClusterIT {
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
