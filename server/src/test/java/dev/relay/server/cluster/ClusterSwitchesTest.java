package dev.relay.server.cluster;

import dev.relay.server.config.ConfigException;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The seed's multi-node switches are refused on a node that cannot share anything (engine: memory). */
class ClusterSwitchesTest {
    @Test
    void theSeedsSwitchesNeedAnEngineThatNodesShare() {
        for (String key : new String[] {"enable_load_balancing", "enable_message_queue"}) {
            assertThatThrownBy(() -> TestServer.start(Map.of(key, "true")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(key)
                    .hasMessageContaining("engine");
        }
    }
}
