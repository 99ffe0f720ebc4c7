package dev.relay.bench;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/** The benchmarks' packages depend on each other one way only. */
class ArchitectureTest {
    private static JavaClasses bench;

    @BeforeAll
    static void importMainClasses() {
        bench = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("dev.relay.bench");
    }

    @Test
    void theImportHoldsTheMainClassesOnly() {
        assertThat(bench.contain(BenchMain.class)).isTrue();
        // not endsWith("Test"): JMH's generated classes end with _jmhTest
        assertThat(bench.contain("dev.relay.bench.load.PayloadTest")).isFalse();
    }

    /** dev.relay.(**): the module's root package is a slice too. */
    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.relay.(**)").should().beFreeOfCycles()
                .because("a package cycle ties its packages into one: break it by moving the type both sides need"
                        + " to the package that uses it (an interface owned by its caller, implemented elsewhere)"
                        + " or into a small leaf package, not by merging the packages")
                .check(bench);
    }
}
