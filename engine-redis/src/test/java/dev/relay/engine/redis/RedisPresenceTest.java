package dev.relay.engine.redis;

import dev.relay.core.cluster.PresenceStore;
import dev.relay.core.cluster.PresenceStoreContract;
import dev.relay.core.testing.ExternalService;
import dev.relay.engine.redis.testing.RedisTestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Cluster-wide presence in the real Redis against the contract, under a key prefix of its own. */
class RedisPresenceTest extends PresenceStoreContract {
    private final String prefix = RedisTestKeys.freshPrefix();

    @BeforeEach
    void redis() {
        ExternalService.REDIS.assumeAvailable();
    }

    @AfterEach
    void cleanUp() {
        RedisTestKeys.delete(prefix);
    }

    @Override
    protected PresenceStore newStore(String nodeId) {
        return new RedisPresence(RedisTestKeys.url(), prefix, nodeId, TTL, clock);
    }

    @Override
    protected void beat(PresenceStore store) {
        ((RedisPresence) store).beatOnce();
    }
}
