package dev.relay.core.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

class ExternalServiceTest {
    @Test
    void aListeningPortIsReachableAndAClosedOneIsNot() throws IOException {
        int closedPort;
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ExternalService up = new ExternalService("up", "127.0.0.1", listening.getLocalPort());
            assertThat(up.reachable()).isTrue();
            closedPort = listening.getLocalPort();
        }
        assertThat(new ExternalService("down", "127.0.0.1", closedPort).reachable()).isFalse();
    }
}
