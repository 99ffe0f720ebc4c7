package dev.relay.store.jdbc;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/** JDBC store: implements the core's MessageStore and knows nothing of the server nor of the engines. */
class ArchitectureTest {
    private static JavaClasses jdbc;

    @BeforeAll
    static void importMainClasses() {
        jdbc = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("dev.relay.store.jdbc");
    }

    @Test
    void theImportHoldsTheMainClassesOnly() {
        assertThat(jdbc.contain(JdbcMessageStore.class)).isTrue();
        assertThat(jdbc.stream().map(c -> c.getName())).noneMatch(name -> name.endsWith("Test"));
    }

    /** dev.relay.(**): the module's root package is a slice too. */
    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.relay.(**)").should().beFreeOfCycles()
                .because("a package cycle ties its packages into one: break it by moving the type both sides need"
                        + " to the package that uses it (an interface owned by its caller, implemented elsewhere)"
                        + " or into a small leaf package, not by merging the packages")
                .check(jdbc);
    }

    @Test
    void dependsOnNoServerClass() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.relay.server..", "dev.relay.engine..")
                .because("stores run inside the server but must not know it or the engines: what a store needs comes in"
                        + " through the core's interfaces (core.store) or as settings")
                .check(jdbc);
    }
}
