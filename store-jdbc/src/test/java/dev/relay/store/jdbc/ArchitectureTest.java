package dev.relay.store.jdbc;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.relay.core.testing.ModuleRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** JDBC store: implements the core's MessageStore and knows nothing of the server nor of the engines. */
class ArchitectureTest {
    private static JavaClasses jdbc;

    @BeforeAll
    static void importMainClasses() {
        jdbc = ModuleRules.mainClasses("dev.relay.store.jdbc");
    }

    @Test
    void theImportHoldsTheMainClassesOnly() {
        assertThat(jdbc.contain(JdbcMessageStore.class)).isTrue();
        assertThat(jdbc.stream().map(c -> c.getName())).noneMatch(name -> name.endsWith("Test"));
    }

    /** dev.relay.(**): the module's root package is a slice too. */
    @Test
    void packagesAreFreeOfCycles() {
        ModuleRules.packagesAreFreeOfCycles().check(jdbc);
    }

    @Test
    void dependsOnNoServerClass() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.relay.server..", "dev.relay.engine..")
                .because("stores run inside the server but must not know it or the engines: what a store needs comes in"
                        + " through the core's interfaces (core.store) or as settings")
                .check(jdbc);
    }
}
