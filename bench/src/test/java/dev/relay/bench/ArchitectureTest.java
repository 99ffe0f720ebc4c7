package dev.relay.bench;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.relay.core.testing.ModuleRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmarks' packages depend on each other one way only. */
class ArchitectureTest {
    private static JavaClasses bench;

    @BeforeAll
    static void importMainClasses() {
        bench = ModuleRules.mainClasses("dev.relay.bench");
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
        ModuleRules.packagesAreFreeOfCycles().check(bench);
    }
}
