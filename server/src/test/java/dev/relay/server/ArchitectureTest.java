package dev.relay.server;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.relay.core.testing.ModuleRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The server's packages depend on each other one way only. */
class ArchitectureTest {
    private static JavaClasses server;

    @BeforeAll
    static void importServer() {
        server = ModuleRules.mainClasses("dev.relay.server");
    }

    @Test
    void theImportHoldsTheMainClassesOnly() {
        assertThat(server.contain(WebSocketService.class)).isTrue();
        assertThat(server.contain("dev.relay.server.websocket.NettyConnection")).isTrue();
        assertThat(server.stream().map(c -> c.getName()))
                .noneMatch(name -> name.startsWith("dev.relay.server.testing."))
                .noneMatch(name -> name.endsWith("Test") || name.endsWith("IT"));
    }

    /** dev.relay.(**): the module's root package is a slice too, so a cycle through WebSocketService counts. */
    @Test
    void packagesAreFreeOfCycles() {
        ModuleRules.packagesAreFreeOfCycles().check(server);
    }
}
