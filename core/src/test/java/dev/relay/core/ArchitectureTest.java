package dev.relay.core;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.relay.core.testing.ModuleRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core stays transport-free: no network, no files, no database, no Netty, no JSON library; it knows none of the
 * modules built on it; and its packages depend on each other one way only.
 */
class ArchitectureTest {
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = ModuleRules.mainClasses("dev.relay.core");
    }

    @Test
    void theImportHoldsTheMainClassesOnly() {
        assertThat(core.contain(Hub.class)).isTrue();
        assertThat(core.contain("dev.relay.core.delivery.DeliveryLane")).isTrue();
        assertThat(core.stream().map(c -> c.getName()))
                .noneMatch(name -> name.startsWith("dev.relay.core.testing."))
                .noneMatch(name -> name.endsWith("Test"));
    }

    @Test
    void coreDependsOnNoTransportStorageOrJsonLibrary() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.netty..", "com.fasterxml..", "java.sql..", "javax.sql..", "java.net..",
                        "java.nio.file..")
                .because("the core is transport-free; the server module owns I/O")
                .check(core);
    }

    @Test
    void coreDoesNotTouchFiles() {
        noClasses().should().dependOnClassesThat().areAssignableTo(File.class)
                .because("the core reads no files; configuration comes in as HubSettings")
                .check(core);
    }

    @Test
    void coreKnowsNoModuleBuiltOnIt() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("dev.relay.server..", "dev.relay.engine..", "dev.relay.store..",
                        "dev.relay.client..", "dev.relay.bench..")
                .because("modules depend on the core, never the reverse: declare what the core needs as an"
                        + " interface in the core (as core.cluster's Broker or core.store's MessageStore) and"
                        + " implement it in the module")
                .check(core);
    }

    /**
     * The root package (Hub and the classes behind it) is built from the sub-packages; a sub-package that reached back
     * into it would make a cycle with everything the hub uses. core.local is the one package above the root: an
     * in-process client of the Hub, as the server is a socket one, and nothing in the core depends on it.
     */
    @Test
    void subPackagesDoNotDependOnTheRoot() {
        noClasses().that().resideOutsideOfPackages("dev.relay.core", "dev.relay.core.local..")
                .should().dependOnClassesThat().resideInAPackage("dev.relay.core")
                .because("the hub depends on its sub-packages, never the reverse: a type a sub-package needs from"
                        + " the root belongs beside the interface that uses it (as cluster.Published beside"
                        + " SharedRetries) or in a leaf package")
                .check(core);
    }

    /** dev.relay.(**): the root package (Hub and the classes behind it) is a slice too. */
    @Test
    void packagesAreFreeOfCycles() {
        ModuleRules.packagesAreFreeOfCycles().check(core);
    }
}
