package dev.relay.spring;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.relay.core.testing.ModuleRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/** The starter: Spring wiring around the server's public API, nothing of the transport. */
class ArchitectureTest {
    private static JavaClasses starter;

    @BeforeAll
    static void importMainClasses() {
        starter = ModuleRules.mainClasses("dev.relay.spring");
    }

    @Test
    void theImportHoldsTheMainClassesOnly() {
        assertThat(starter.contain(RelayAutoConfiguration.class)).isTrue();
        assertThat(starter.stream().map(c -> c.getName())).noneMatch(name -> name.endsWith("Test")
                || name.endsWith("IT"));
    }

    @Test
    void packagesAreFreeOfCycles() {
        ModuleRules.packagesAreFreeOfCycles().check(starter);
    }

    @Test
    void usesNoNettyClass() {
        noClasses().should().dependOnClassesThat().resideInAPackage("io.netty..")
                .because("the starter configures and runs WebSocketService; the transport stays the server's, so a"
                        + " change there never needs the starter to follow")
                .check(starter);
    }
}
