package dev.relay.client;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.relay.core.testing.ModuleRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** The Java client: a library for applications, built on the core's protocol types only. */
class ArchitectureTest {
    private static JavaClasses client;

    @BeforeAll
    static void importMainClasses() {
        client = ModuleRules.mainClasses("dev.relay.client");
    }

    @Test
    void theImportHoldsTheMainClassesOnly() {
        assertThat(client.contain(RelayClient.class)).isTrue();
        assertThat(client.stream().map(c -> c.getName())).noneMatch(name -> name.endsWith("Test"));
    }

    /** dev.relay.(**): the module's root package is a slice too. */
    @Test
    void packagesAreFreeOfCycles() {
        ModuleRules.packagesAreFreeOfCycles().check(client);
    }

    @Test
    void dependsOnNoServerEngineOrStoreClass() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("dev.relay.server..", "dev.relay.engine..", "dev.relay.store..")
                .because("applications embed the client without the server: what client and server share (message"
                        + " types, close codes) belongs in core.protocol")
                .check(client);
    }
}
