package dev.relay.engine.nats;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.relay.core.testing.ModuleRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** NATS engine: implements the core's cluster SPI and knows nothing of the server nor of the Redis engine. */
class ArchitectureTest {
    private static JavaClasses nats;

    @BeforeAll
    static void importMainClasses() {
        nats = ModuleRules.mainClasses("dev.relay.engine.nats");
    }

    @Test
    void theImportHoldsTheMainClassesOnly() {
        assertThat(nats.contain(NatsBroker.class)).isTrue();
        assertThat(nats.stream().map(c -> c.getName())).noneMatch(name -> name.endsWith("Test"));
    }

    /** dev.relay.(**): the module's root package is a slice too. */
    @Test
    void packagesAreFreeOfCycles() {
        ModuleRules.packagesAreFreeOfCycles().check(nats);
    }

    @Test
    void dependsOnNoServerClass() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.relay.server..")
                .because("engines run inside the server but must not know it: what an engine needs comes in"
                        + " through the core's interfaces (core.cluster) or as settings")
                .check(nats);
    }

    @Test
    void dependsOnNoRedisEngineClass() {
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.relay.engine.redis..")
                .because("each engine stands alone on the core's cluster SPI: what both engines need belongs in"
                        + " core.cluster (or in the server's wiring), not in one engine used by the other")
                .check(nats);
    }
}
