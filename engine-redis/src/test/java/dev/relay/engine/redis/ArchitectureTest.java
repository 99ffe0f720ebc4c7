package dev.relay.engine.redis;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.relay.core.testing.ModuleRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** Redis engine: implements the core's cluster SPI and knows nothing of the server. */
class ArchitectureTest {
    private static JavaClasses redis;

    @BeforeAll
    static void importMainClasses() {
        redis = ModuleRules.mainClasses("dev.relay.engine.redis");
    }

    @Test
    void theImportHoldsTheMainClassesOnly() {
        assertThat(redis.contain(RedisBroker.class)).isTrue();
        assertThat(redis.stream().map(c -> c.getName())).noneMatch(name -> name.endsWith("Test"));
    }

    /** dev.relay.(**): the module's root package is a slice too. */
    @Test
    void packagesAreFreeOfCycles() {
        ModuleRules.packagesAreFreeOfCycles().check(redis);
    }

    @Test
    void dependsOnNoServerClass() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.relay.server..")
                .because("engines run inside the server but must not know it: what an engine needs comes in"
                        + " through the core's interfaces (core.cluster) or as settings")
                .check(redis);
    }
}
