package dev.relay.server;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/** The server's packages depend on each other one way only. */
class ArchitectureTest {
    private static JavaClasses server;

    @BeforeAll
    static void importServer() {
        server = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("dev.relay.server");
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
        slices().matching("dev.relay.(**)").should().beFreeOfCycles()
                .because("a package cycle ties its packages into one: break it by moving the type both sides need"
                        + " to the package that uses it (an interface owned by its caller, implemented elsewhere)"
                        + " or into a small leaf package (as server.codec), not by merging the packages")
                .check(server);
    }
}
